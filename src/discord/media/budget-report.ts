/**
 * `/budget`: the story's time/energy ledger (or, outside stories, the server's) and its latest step budget. Totals come from the ledger
 * the bot writes as renders finish (model time, steps run, steps and time the budget saved); the
 * energy estimate is the core's energyLedger at DEVICE_WATTS. The chart is the latest draft's
 * predicted SSIM curve with the chosen step marked, so the group sees why it stopped there. The
 * prediction itself runs on the workers, next to the text encoder it needs.
 */
import { AttachmentBuilder, type BaseMessageOptions } from 'discord.js';
import { energyLedger, renderBudgetChart, wattHours } from '../../budget/index.js';
import type { Story } from '../../core/story/story.js';
import type { LedgerRecord } from '../../store/render-ledger.js';
import type { BotContext } from '../bot-context.js';
import { ledgerBookOf } from '../drafts/draft-delivery.js';
import { duration } from '../drafts/draft-view.js';

export const BUDGET_CHART_FILE = 'budget.png';

/** What the ledger adds up to; numbers, so tests can compare them with the renders' results. */
export interface StoryLedgerTotals {
  renders: number;
  gpuSeconds: number;
  wattHours: number;
  stepsUsed: number;
  stepsSaved: number;
  secondsSaved: number;
  savedWattHours: number;
  /** stepsSaved / (stepsUsed + stepsSaved). */
  savedShare: number;
}

export function ledgerTotals(entries: readonly LedgerRecord[], watts: number): StoryLedgerTotals {
  const ledger = energyLedger(
    entries.map((e) => ({ stepsUsed: e.steps, stepsSaved: e.stepsSaved, msPerStep: e.steps > 0 ? e.modelMs / e.steps : 0 })),
    watts,
  );
  // Time saved is the worker's own figure per render (msSaved), not re-derived here.
  const secondsSaved = entries.reduce((sum, e) => sum + e.msSaved, 0) / 1000;
  return {
    renders: ledger.renders,
    gpuSeconds: entries.reduce((sum, e) => sum + e.modelMs, 0) / 1000,
    wattHours: ledger.wattHours,
    stepsUsed: ledger.stepsUsed,
    stepsSaved: ledger.stepsSaved,
    secondsSaved,
    savedWattHours: wattHours(secondsSaved, watts),
    savedShare: ledger.savedShare,
  };
}

/** The lines /budget shows for `totals` (exported so tests format expectations the same way). */
export function ledgerLines(t: StoryLedgerTotals, watts: number): string[] {
  return [
    `Renders: **${t.renders}** · GPU time **${duration(t.gpuSeconds * 1000)}** · about **${energy(t.wattHours)}** at ${watts} W`,
    `Steps: **${t.stepsUsed}** run, **${t.stepsSaved}** saved against the default (**${Math.round(t.savedShare * 100)}%** saved) · time saved **${duration(t.secondsSaved * 1000)}** (about ${energy(t.savedWattHours)})`,
  ];
}

/** "1.25 Wh", or "12.5 mWh" for the small numbers a few drafts add up to. */
export function energy(wattHours: number): string {
  return wattHours >= 1 ? `${wattHours.toFixed(2)} Wh` : `${(wattHours * 1000).toFixed(1)} mWh`;
}

export async function budgetReport(ctx: BotContext, story: Story | undefined, quality: string, guildId?: string): Promise<BaseMessageOptions> {
  const head = `Step budget quality: **${quality}** (server default ${ctx.config.BUDGET_QUALITY}). Before drawing, I predict for each prompt the fewest steps that reach the quality level and stops there.`;
  // In a story's thread: that story's ledger; elsewhere: the server's drafts made outside stories.
  const book = ledgerBookOf(story?.id, guildId);
  const title = story ? story.title : 'Drafts outside stories on this server';
  if (!book) return { content: `${head}\nRun /budget in a server channel or a story's thread to see its time and energy ledger.` };
  const entries = await ctx.ledger.list(book);
  if (entries.length === 0) return { content: `${head}\nNo finished renders in **${title}** yet.` };
  const watts = ctx.config.DEVICE_WATTS;
  const lines = [head, `**${title}**`, ...ledgerLines(ledgerTotals(entries, watts), watts)];
  const latest = [...entries].reverse().find((e) => e.kind === 'draft' && e.budget && e.budget.curve.length > 1);
  if (!latest?.budget) return { content: lines.join('\n') };
  const b = latest.budget;
  const draft = await ctx.stories.getDraft(latest.draftId);
  lines.push(`Latest draft: ${b.predictedSteps} of ${b.defaultSteps} steps (${b.quality}): ${b.reason}.`);
  const chart = await renderBudgetChart(b, { title: draft?.prompt ?? `draft ${latest.draftId}` });
  return { content: lines.join('\n'), files: [new AttachmentBuilder(chart, { name: BUDGET_CHART_FILE })] };
}
