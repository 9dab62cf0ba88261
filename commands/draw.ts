// /draw prompt [negative] [seed] [steps] [quality] [image] [strength] — one 4-picture draft outside the story plan.
import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { BUDGET_QUALITIES } from '../src/core/budget/budget-rule.js';
import type { BotContext } from '../src/discord/bot-context.js';
import { drawDraft, MAX_NEGATIVE_CHARS, MAX_PROMPT_CHARS } from '../src/discord/drafts/draw-draft.js';
import { DEFAULT_START_STRENGTH } from '../src/discord/drafts/starting-picture.js';
import { refuseInChannel } from '../src/discord/content/content-scope.js';

export default {
  data: new SlashCommandBuilder()
    .setName('draw')
    .setDescription('Draw one draft from a prompt (weights like (red:1.3) work)')
    .addStringOption((o) => o.setName('prompt').setDescription('What to draw').setRequired(true).setMaxLength(MAX_PROMPT_CHARS))
    .addStringOption((o) => o.setName('negative').setDescription('What to avoid').setMaxLength(MAX_NEGATIVE_CHARS))
    .addIntegerOption((o) => o.setName('seed').setDescription('Seed for a repeatable draft').setMinValue(0).setMaxValue(4294967295))
    .addIntegerOption((o) => o.setName('steps').setDescription('Denoising steps (default: the step budget decides)').setMinValue(1).setMaxValue(100))
    .addStringOption((o) =>
      o.setName('quality').setDescription('Step budget quality').addChoices(...BUDGET_QUALITIES.map((q) => ({ name: q, value: q }))))
    .addAttachmentOption((o) => o.setName('image').setDescription('A sketch or photo to start from'))
    .addNumberOption((o) => o.setName('strength').setDescription(`How much of the picture to redraw (default ${DEFAULT_START_STRENGTH})`).setMinValue(0.05).setMaxValue(1)),
  async execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
    // Checked before the public "thinking…" so a refusal is only ever seen by the member who asked.
    await refuseInChannel(ctx, interaction.guildId, interaction.channel, 'prompt', [
      { text: interaction.options.getString('prompt') },
      { text: interaction.options.getString('negative'), kind: 'negative' },
    ]);
    await interaction.deferReply();
    await drawDraft(interaction, ctx);
  },
};
