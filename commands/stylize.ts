// /stylize video prompt — restyle a short clip, made by a worker.
import { MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../src/discord/bot-context.js';
import { requestStylize } from '../src/discord/media/media-requests.js';

export default {
  data: new SlashCommandBuilder()
    .setName('stylize')
    .setDescription('Restyle a short video clip')
    .addAttachmentOption((o) => o.setName('video').setDescription('MP4, WebM or GIF').setRequired(true))
    .addStringOption((o) => o.setName('prompt').setDescription('The style to apply').setRequired(true).setMaxLength(500)),
  async execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    await interaction.editReply(await requestStylize(interaction, ctx));
  },
};
