/**
 * Delivers finished draft and refine renders: builds the grid, stores it, edits the draft's message
 * into its final form with the bot token (results may come long after the interaction's 15 minutes),
 * opens the vote for scene drafts, and pings the member who asked. Failures and cancellations edit
 * the message into a short explanation. Called exactly once per job by ResultDelivery.
 */
import type { Draft } from '../../core/story/draft.js';
import type { RenderOutcome } from '../../queue/index.js';
import type { BotContext } from '../bot-context.js';
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
    const cancelled = /cancel/i.test(outcome.reason);
    await ctx.stories.saveDraft({ ...draft, status: cancelled ? 'cancelled' : 'failed' });
    await editBotMessage(ctx.client, at.channelId, at.messageId, failedView(info, outcome.reason, cancelled));
    if (!cancelled) await ping(ctx, draft, at.channelId, at.messageId, 'your draft could not be rendered.');
    return;
  }

  const result = outcome.result;
  const images = await Promise.all(result.keys.map((key) => ctx.blobs.get(key)));
  const grid = await fitUpload(await draftGrid(images), ctx.config.UPLOAD_LIMIT_BYTES);
  const gridKey = await ctx.blobs.put(grid.data, grid.ext);
  const steps = result.steps ?? draft.steps;
  const done: Draft = { ...draft, status: 'done', blobKeys: result.keys, seeds: result.seeds ?? [], steps, gridKey, messageId: at.messageId };
  await ctx.stories.saveDraft(done);
  const voting = Boolean(done.storyId && done.sceneId && result.keys.length > 1);
  const doneInfo = { ...info, draft: done, variants: result.keys.length };
  await editBotMessage(ctx.client, at.channelId, at.messageId, doneView(doneInfo, {
    grid: grid.data,
    steps,
    stepsSaved: result.stepsSaved ?? 0,
    savedMs: await savedMs(ctx, outcome.jobId, steps, result.stepsSaved ?? 0),
    warnings: result.warnings ?? [],
    voting,
  }));
  if (voting) await ctx.votes.openRound(done, at);
  await ping(ctx, done, at.channelId, at.messageId, voting ? 'your draft is ready — vote with the number reactions.' : 'your draft is ready.');
}

/** Time the saved steps would have cost, from this job's own time per step. */
async function savedMs(ctx: BotContext, jobId: string, steps: number, saved: number): Promise<number> {
  if (saved <= 0) return 0;
  const job = await ctx.queue.queue.getJob(jobId).catch(() => undefined);
  const ms = job?.finishedOn && job.processedOn ? job.finishedOn - job.processedOn : 0;
  return steps > 0 ? (ms / steps) * saved : 0;
}

async function ping(ctx: BotContext, draft: Draft, channelId: string, messageId: string, text: string): Promise<void> {
  await postBotMessage(ctx.client, channelId, { content: `<@${draft.requestedBy}> ${text}`, allowedMentions: { users: [draft.requestedBy] } }, messageId).catch(
    (error: unknown) => ctx.log.warn({ err: error }, 'could not ping the requester'),
  );
}
