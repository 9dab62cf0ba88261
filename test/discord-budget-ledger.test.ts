// The story's time/energy ledger with the real discord.js client, the fake Discord, real Redis and the
// real render worker on the toy model (which has a calibrated budget.json): two /draw drafts and one
// Variations refine in a story thread are recorded once each, the done message says "N of 50 steps ·
// saved X" from the job's result, and /budget answers with totals that match the jobs' results and
// a PNG chart of the latest draft's predicted curve.
import sharp from 'sharp';
import type { APIMessage } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverOutcome } from '../src/discord/deliver-outcome.js';
import { duration } from '../src/discord/drafts/draft-view.js';
import { BUDGET_CHART_FILE, ledgerLines, ledgerTotals } from '../src/discord/media/budget-report.js';
import type { JobResult } from '../src/queue/index.js';
import { createBotBed, type BotBed } from './discord/bot-harness.js';

let bed: BotBed;
beforeAll(async () => {
  bed = await createBotBed();
  await bed.spawnWorker('toy');
}, 90_000);
afterAll(async () => bed?.cleanup());

const hasImage = (m: APIMessage) => m.attachments.length > 0 && (m.embeds?.length ?? 0) > 0;
const stepsField = (m: APIMessage) => m.embeds?.[0]?.fields?.find((f) => f.name === 'Steps')?.value;
const buttonId = (m: APIMessage, label: string) =>
  (m.components as { components: { custom_id: string; label: string }[] }[]).flatMap((r) => r.components).find((b) => b.label === label)!.custom_id;

describe('story ledger and /budget', () => {
  it('records each render once and reports totals and a chart', async () => {
    const { discord } = bed;
    const ctx = () => bed.bot.ctx;
    const alice = discord.user('alice');
    await discord.invokeSlash(alice, discord.channelId('general'), 'story', { title: 'The Crane', style: 'woodcut' }, 'new').waitForOriginal((m) => /has begun/.test(m.content), 10_000);
    const thread = discord.threads()[0]!;

    const drafts: APIMessage[] = [];
    for (const prompt of ['a crane over a misty lake', 'a fisherman asleep in his boat']) {
      const draw = discord.invokeSlash(alice, thread.id, 'draw', { prompt });
      const queued = await draw.waitForOriginal((m) => /queue|starting|rendering/.test(m.content));
      drafts.push(await discord.waitForMessage(thread.id, (m) => m.id === queued.id && hasImage(m), 60_000));
    }
    const vary = discord.clickButton(alice, drafts[0]!, buttonId(drafts[0]!, 'Variations 1'));
    await vary.waitForOriginal((m) => /on their way/.test(m.content));
    const refined = await discord.waitForMessage(thread.id, (m) => m.message_reference?.message_id === drafts[0]!.id && hasImage(m), 60_000);

    // What the worker returned for each render.
    const ids = await Promise.all([...drafts, refined].map(async (m) => (await ctx().drafts.locations.draftOfMessage(m.id))!));
    const results = await Promise.all(ids.map(async (id) => (await ctx().queue.queue.getJob(id))!.returnvalue as JobResult));
    for (const [i, m] of drafts.entries()) {
      const b = results[i]!.budget!;
      expect(b.defaultSteps).toBe(50);
      expect(b.savedSteps).toBeGreaterThan(0);
      expect(stepsField(m)).toBe(`${b.predictedSteps} of 50 steps · saved ${duration(b.msSaved)}`);
    }
    expect(results[2]!.budget).toBeUndefined();
    expect(stepsField(refined)).toBe(`${results[2]!.steps} steps`);

    // Delivering a render again (as after a failed delivery) does not count it twice.
    const job = (await ctx().queue.queue.getJob(ids[1]!))!;
    await deliverOutcome(ctx(), { jobId: ids[1]!, name: job.name, data: job.data, state: 'completed', result: results[1]! });
    const story = (await ctx().stories.findStoryForChannel(thread.parent_id!, thread.id))!;
    const entries = await ctx().ledger.list(story.id);
    expect(entries.map((e) => e.jobId).sort()).toEqual([...ids].sort());

    // Delivering the refine again (as after a bot killed mid-delivery, result-delivery.ts) edits its
    // message again: no second message and no second "ready" ping.
    const pings = () => discord.messages(thread.id).filter((m) => /your draft is ready/.test(m.content));
    await discord.waitForMessage(thread.id, (m) => /your draft is ready/.test(m.content), 10_000);
    const before = discord.messages(thread.id).map((m) => m.id);
    const refineJob = (await ctx().queue.queue.getJob(ids[2]!))!;
    await deliverOutcome(ctx(), { jobId: ids[2]!, name: refineJob.name, data: refineJob.data, state: 'completed', result: results[2]! });
    expect(discord.messages(thread.id).map((m) => m.id)).toEqual(before);
    expect(pings()).toHaveLength(1);
    expect(discord.messages(thread.id).find((m) => m.id === refined.id)?.edited_timestamp).not.toBe(refined.edited_timestamp);

    const watts = bed.config.DEVICE_WATTS;
    const modelMs = results.reduce((s, r) => s + r.modelMs!, 0);
    const expected = {
      renders: 3,
      gpuSeconds: modelMs / 1000,
      wattHours: (modelMs / 1000) * watts / 3600,
      stepsUsed: results.reduce((s, r) => s + r.steps!, 0),
      stepsSaved: results.reduce((s, r) => s + (r.budget?.savedSteps ?? 0), 0),
      secondsSaved: results.reduce((s, r) => s + (r.budget?.msSaved ?? 0), 0) / 1000,
      savedWattHours: (results.reduce((s, r) => s + (r.budget?.msSaved ?? 0), 0) / 1000) * watts / 3600,
      savedShare: 0,
    };
    expected.savedShare = expected.stepsSaved / (expected.stepsUsed + expected.stepsSaved);
    const totals = ledgerTotals(entries, watts);
    for (const [key, value] of Object.entries(expected)) expect(totals[key as keyof typeof totals], key).toBeCloseTo(value, 6);

    const budget = discord.invokeSlash(alice, thread.id, 'budget');
    expect((await budget.callback()).elapsedMs).toBeLessThan(3000);
    const reply = await budget.waitForOriginal((m) => m.attachments.length > 0, 15_000);
    for (const line of ledgerLines(expected, watts)) expect(reply.content).toContain(line);
    expect(reply.content).toContain(`Latest draft: ${results[1]!.budget!.predictedSteps} of 50 steps`);
    expect(reply.attachments[0]!.filename).toBe(BUDGET_CHART_FILE);
    const chart = await sharp(discord.file(reply.attachments[0]!)).metadata();
    expect([chart.format, chart.width, chart.height]).toEqual(['png', 640, 360]);
    expect(discord.errors).toEqual([]);
  }, 240_000);
});
