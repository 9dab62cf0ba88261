// /illustrate passage — plans scenes and queues one 4-variant draft per scene (src/discord/stories/).
import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../src/discord/bot-context.js';
import { illustratePassage, planSummary } from '../src/discord/stories/illustrate-passage.js';
import { requireStory } from '../src/discord/stories/story-access.js';

export default {
  data: new SlashCommandBuilder()
    .setName('illustrate')
    .setDescription('Turn a passage of the story into scenes and drafts')
    .addStringOption((o) => o.setName('passage').setDescription('The passage').setRequired(true).setMinLength(3).setMaxLength(4000)),
  async execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
    await interaction.deferReply();
    const story = await requireStory(ctx.stories, interaction.channel);
    const result = await illustratePassage(ctx, story, interaction.options.getString('passage', true), interaction.user.id);
    await interaction.editReply(planSummary(result));
  },
};
