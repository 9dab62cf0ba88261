/**
 * Delivers finished draft and refine renders: builds the grid, stores it, edits the draft's message
 * into its final form with the bot token (results may come long after the interaction's 15 minutes),
 * opens the vote for scene drafts, and pings the member who asked — once: a draft whose message already
 * answers them (their /draw, a reply to their message) is not followed by a second "ready" ping. A story's renders go into its
 * time/energy ledger first, keyed by job id, so a delivery retried after a failed edit counts once.
 * Failures and cancellations edit the message into a short explanation. Called once per job by
 * ResultDelivery (again when a delivery threw, or its bot was killed mid-delivery): a repeat edits the
 * same message, finds its ledger entry and vote round stored, and does not ping again.
 */
import sharp from 'sharp';
import type { Draft } from '../../core/story/draft.js';
import { explainFailure, type JobResult, type RenderOutcome } from '../../queue/index.js';
import type { BotContext } from '../bot-context.js';
import { postOnce } from '../post-once.js';
import { draftGrid } from './draft-grid.js';
import { doneView, failedView } from './draft-view.js';
import { editBotMessage, postBotMessage } from './message-post.js';
import { fitUpload } from './upload-fit.js';

export async function deliverDraft(ctx: BotContext, outcome: RenderOutcome): Promise<void> {
  const draftId = (outcome.data as { draftId?: string }).draftId;
  const draft = draftId ? await ctx.stories.getDraft(draftId) : undefined;
  if (!draft) {
    ctx.log.warn({ jobId: outcome.jobId }, 'a render finished for an unknown draft');
    return;
  }
  await ctx.progress.finish(draft.id);
  const at = await ctx.drafts.locations.of(draft.id);
  if (!at) throw new Error(`draft ${draft.id} has no message yet`);
  const info = await ctx.drafts.viewInfo(draft);

  if (outcome.state === 'failed') {
    const failure = explainFailure(outcome.reason, 'button');
    const cancelled = failure.kind === 'cancelled';
    await ctx.stories.saveDraft({ ...draft, status: cancelled ? 'cancelled' : 'failed' });
    await editBotMessage(ctx.client, at.channelId, at.messageId, failedView(info, failure.sentence, cancelled, failure.retry));
    if (!cancelled) await ping(ctx, outcome.jobId, draft, at.channelId, at.messageId, 'your draft could not be rendered.');
    return;
  }

  const result = outcome.result;
  const images = await Promise.all(result.keys.map((key) => ctx.blobs.get(key)));
  const grid = await fitUpload(await draftGrid(images), ctx.config.UPLOAD_LIMIT_BYTES);
  const gridKey = await ctx.blobs.put(grid.data, grid.ext);
  const steps = result.steps ?? draft.steps;
  const book = ledgerBookOf(draft.storyId, (outcome.data as { channel?: { guildId?: string } }).channel?.guildId);
  if (book) await recordRender(ctx, book, draft, outcome.jobId, outcome.name, result, steps);
  const done: Draft = {
    ...draft, status: 'done', blobKeys: result.keys, seeds: result.seeds ?? [], steps, gridKey, messageId: at.messageId,
    ...(result.budget ? { predictedSteps: result.budget.predictedSteps } : {}),
  };
  await ctx.stories.saveDraft(done);
  const voting = Boolean(done.storyId && done.sceneId && result.keys.length > 1);
  const doneInfo = { ...info, draft: done, variants: result.keys.length };
  await editBotMessage(ctx.client, at.channelId, at.messageId, doneView(doneInfo, {
    grid: grid.data,
    steps,
    budget: result.budget,
    warnings: result.warnings ?? [],
    voting,
    ...(images.length === 1 ? { size: await pictureSize(images[0]!) } : {}),
  }));
  if (voting) await ctx.votes.openRound(done, at);
  const ready = done.origin === 'upscale' ? 'your upscaled picture is ready.' : voting ? 'your draft is ready — vote with the number reactions.' : 'your draft is ready.';
  await ping(ctx, outcome.jobId, done, at.channelId, at.messageId, ready);
}

async function pictureSize(png: Buffer): Promise<{ width: number; height: number }> {
  const { width = 0, height = 0 } = await sharp(png).metadata();
  return { width, height };
}

/**
 * The ledger a render is booked in: its story's, or for drafts outside stories (`/draw` in a plain
 * channel) the server's own, so `/budget` can account for those too.
 */
export function ledgerBookOf(storyId: string | undefined, guildId: string | undefined): string | undefined {
  return storyId ?? (guildId ? `server-${guildId}` : undefined);
}

/** Adds a finished render to its ledger (once per job id). */
async function recordRender(ctx: BotContext, book: string, draft: Draft, jobId: string, name: string, result: JobResult, steps: number): Promise<void> {
  await ctx.ledger.record(book, {
    jobId,
    draftId: draft.id,
    kind: name === 'refine' || name === 'upscale' ? name : 'draft',
    at: ctx.now(),
    modelMs: result.modelMs ?? 0,
    steps,
    stepsSaved: result.stepsSaved ?? result.budget?.savedSteps ?? 0,
    msSaved: result.budget?.msSaved ?? 0,
    ...(result.budget ? { budget: result.budget } : {}),
  });
}

/** Once per job: a repeat delivery edits the same message again but does not ping again. */
async function ping(ctx: BotContext, jobId: string, draft: Draft, channelId: string, messageId: string, text: string): Promise<void> {
  if (draft.answersRequester) return;
  await postOnce(ctx, jobId, () =>
    postBotMessage(ctx.client, channelId, { content: `<@${draft.requestedBy}> ${text}`, allowedMentions: { users: [draft.requestedBy] } }, messageId),
  ).catch((error: unknown) => ctx.log.warn({ err: error }, 'could not ping the requester'));
}
