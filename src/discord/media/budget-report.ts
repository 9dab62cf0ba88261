/**
 * `/budget`: how the step budget has been spending steps in this story (or for this member): the
 * quality level, steps run and steps saved per finished draft. The prediction itself runs on the
 * workers, next to the text encoder it needs.
 */
import type { BotContext } from '../bot-context.js';
import type { Story } from '../../core/story/story.js';

export async function budgetReport(ctx: BotContext, story: Story | undefined, quality: string): Promise<string> {
  const drafts = story ? (await ctx.stories.listDrafts(story.id)).filter((d) => d.status === 'done') : [];
  const head = `Step budget quality: **${quality}** (server default ${ctx.config.BUDGET_QUALITY}). The worker predicts, per prompt, the fewest steps that reach the quality level and stops there.`;
  if (drafts.length === 0) return `${head}\nNo finished drafts in this story yet.`;
  const steps = drafts.map((d) => d.steps);
  const avg = steps.reduce((a, b) => a + b, 0) / steps.length;
  const recent = drafts.slice(-5).map((d) => `• \`${d.id}\` ${d.steps} steps${d.predictedSteps ? ` (predicted ${d.predictedSteps})` : ''}`);
  return `${head}\n${drafts.length} finished drafts, ${avg.toFixed(1)} steps on average.\n${recent.join('\n')}`;
}
