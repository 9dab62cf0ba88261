// /budget — the story's time/energy ledger and a chart of its latest step budget.
import { MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../src/discord/bot-context.js';
import { budgetReport } from '../src/discord/media/budget-report.js';
import { readGuildSettings } from '../src/discord/stories/guild-settings.js';
import { storyOfChannel } from '../src/discord/stories/story-access.js';

export default {
  data: new SlashCommandBuilder().setName('budget').setDescription('Show the time and energy this story used and the step budget saved'),
  async execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const settings = await readGuildSettings(ctx.redis, ctx.keyPrefix, interaction.guildId);
    const story = await storyOfChannel(ctx.stories, interaction.channel);
    await interaction.editReply(await budgetReport(ctx, story, settings.quality ?? ctx.config.BUDGET_QUALITY, interaction.guildId ?? undefined));
  },
};
