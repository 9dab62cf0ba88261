/**
 * Live progress on draft messages: the worker reports steps (with a low-res preview every few steps),
 * QueueEvents brings them to the bot, and this board edits the draft's message — at most once per
 * `minIntervalMs` (1.5 s) per message, always with the newest report, because Discord rate-limits
 * edits per channel. Once a draft is finished its pending edit is dropped so a late progress edit
 * never overwrites the result.
 */
import type { RenderProgress } from '../../queue/index.js';
import type { BotContext } from '../bot-context.js';
import { editBotMessage } from './message-post.js';
import { progressView } from './draft-view.js';

interface Slot {
  lastEditAt: number;
  pending?: RenderProgress;
  timer?: NodeJS.Timeout;
  editing?: Promise<void>;
}

export class ProgressBoard {
  private readonly slots = new Map<string, Slot>();
  private readonly finished = new Set<string>();

  constructor(
    private readonly ctx: BotContext,
    readonly minIntervalMs = 1500,
  ) {}

  /** True until progress or a result has been shown for `draftId`. */
  isFresh(draftId: string): boolean {
    return !this.slots.has(draftId) && !this.finished.has(draftId);
  }

  /** A progress report for job `jobId` (= draft id). */
  update(jobId: string, progress: RenderProgress): void {
    if (this.finished.has(jobId) || !progress || typeof progress.step !== 'number') return;
    const slot = this.slots.get(jobId) ?? { lastEditAt: 0 };
    this.slots.set(jobId, slot);
    slot.pending = progress;
    if (slot.timer) return;
    const wait = Math.max(0, slot.lastEditAt + this.minIntervalMs - Date.now());
    slot.timer = setTimeout(() => void this.flush(jobId, slot), wait);
  }

  /** The draft is done: no more progress edits. Waits for an edit already under way. */
  async finish(draftId: string): Promise<void> {
    this.finished.add(draftId);
    const slot = this.slots.get(draftId);
    if (slot?.timer) clearTimeout(slot.timer);
    this.slots.delete(draftId);
    await slot?.editing;
  }

  stop(): void {
    for (const slot of this.slots.values()) if (slot.timer) clearTimeout(slot.timer);
    this.slots.clear();
  }

  private async flush(draftId: string, slot: Slot): Promise<void> {
    slot.timer = undefined;
    const progress = slot.pending;
    slot.pending = undefined;
    if (!progress || this.finished.has(draftId)) return;
    slot.lastEditAt = Date.now();
    const edit = this.edit(draftId, progress);
    slot.editing = edit;
    await edit;
  }

  private async edit(draftId: string, p: RenderProgress): Promise<void> {
    const { ctx } = this;
    try {
      const [draft, at] = await Promise.all([ctx.stories.getDraft(draftId), ctx.drafts.locations.of(draftId)]);
      if (!draft || !at || this.finished.has(draftId)) return;
      const preview = p.previewKey ? await ctx.blobs.get(p.previewKey).catch(() => undefined) : undefined;
      if (this.finished.has(draftId)) return;
      await editBotMessage(ctx.client, at.channelId, at.messageId, progressView(await ctx.drafts.viewInfo(draft), p.step, p.total, p.etaMs, preview));
    } catch (error) {
      ctx.log.warn({ err: error, draftId }, 'progress edit failed');
    }
  }
}
