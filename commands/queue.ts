// /queue — your renders, their place in line and ETA.
import { MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../src/discord/bot-context.js';
import { queueStatus } from '../src/discord/media/queue-status.js';

export default {
  data: new SlashCommandBuilder().setName('queue').setDescription('Show your renders in the queue'),
  async execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    await interaction.editReply(await queueStatus(ctx, interaction.user.id));
  },
};
