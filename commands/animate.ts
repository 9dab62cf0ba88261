// /animate panel [motion] [seconds] — a short clip of a scene's panel, made by a worker.
import { MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../src/discord/bot-context.js';
import { requestAnimation } from '../src/discord/media/media-requests.js';
import { ANIMATE_MOTIONS } from '../src/queue/index.js';


export default {
  data: new SlashCommandBuilder()
    .setName('animate')
    .setDescription("Animate a scene's panel")
    .addIntegerOption((o) => o.setName('panel').setDescription('Scene number').setRequired(true).setMinValue(1).setMaxValue(500))
    .addStringOption((o) => o.setName('motion').setDescription('Camera motion (default: chosen from the scene)').addChoices(...ANIMATE_MOTIONS.map((m) => ({ name: m, value: m }))))
    .addIntegerOption((o) => o.setName('seconds').setDescription('Length').setMinValue(1).setMaxValue(15)),
  async execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    await interaction.editReply(await requestAnimation(interaction, ctx));
  },
};
