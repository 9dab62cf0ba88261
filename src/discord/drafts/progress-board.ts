/**
 * Live progress on draft messages: the worker reports steps (with a low-res preview every few steps),
 * QueueEvents brings them to the bot, and this board edits the draft's message — at most once per
 * `minIntervalMs` (1.5 s) per message, always with the newest report, because Discord rate-limits
 * edits per channel. The interval is counted from the end of the previous edit, so edits also reach
 * Discord at least that far apart. Queue-position edits of a waiting draft go through the same board
 * (showQueued) so they share the spacing. Once a draft is finished its pending edit is dropped so a
 * late progress edit never overwrites the result.
 */
import type { BaseMessageOptions } from 'discord.js';
import type { RenderProgress } from '../../queue/index.js';
import type { BotContext } from '../bot-context.js';
import { editBotMessage } from './message-post.js';
import { progressView } from './draft-view.js';

/** How many finished drafts the board remembers, so a long-running bot does not grow without bound. */
const MAX_FINISHED = 10_000;

interface Slot {
  lastEditAt: number;
  pending?: RenderProgress;
  timer?: NodeJS.Timeout;
  busy: boolean;
  editing?: Promise<void>;
}

export class ProgressBoard {
  private readonly slots = new Map<string, Slot>();
  private readonly finished = new Set<string>();
  /** When each waiting draft's last queue-position edit ended, and the one under way. */
  private readonly queuedAt = new Map<string, number>();
  private readonly queuedEdits = new Map<string, Promise<unknown>>();

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
    let slot = this.slots.get(jobId);
    if (!slot) {
      slot = { lastEditAt: this.queuedAt.get(jobId) ?? 0, busy: false };
      this.slots.set(jobId, slot);
    }
    slot.pending = progress;
    if (!slot.timer && !slot.busy) this.schedule(jobId, slot);
  }

  /**
   * Shows a waiting draft's queue view, unless progress or a result is shown already or the last
   * queue edit was less than `minIntervalMs` ago. True when it edited.
   */
  async showQueued(draftId: string, view: BaseMessageOptions): Promise<boolean> {
    if (!this.isFresh(draftId) || this.queuedEdits.has(draftId)) return false;
    if (Date.now() - (this.queuedAt.get(draftId) ?? 0) < this.minIntervalMs) return false;
    const at = await this.ctx.drafts.locations.of(draftId);
    if (!at || !this.isFresh(draftId) || this.queuedEdits.has(draftId)) return false;
    const edit = editBotMessage(this.ctx.client, at.channelId, at.messageId, view);
    this.queuedEdits.set(draftId, edit);
    try {
      await edit;
      return true;
    } finally {
      this.queuedAt.set(draftId, Date.now());
      this.queuedEdits.delete(draftId);
    }
  }

  /** The draft is done: no more progress edits. Waits for an edit already under way. */
  async finish(draftId: string): Promise<void> {
    this.finished.add(draftId);
    // Late progress only trails a result by seconds: the oldest finished ids can be forgotten.
    if (this.finished.size > MAX_FINISHED) this.finished.delete(this.finished.values().next().value!);
    this.queuedAt.delete(draftId);
    const slot = this.slots.get(draftId);
    if (slot?.timer) clearTimeout(slot.timer);
    this.slots.delete(draftId);
    await Promise.all([slot?.editing, this.queuedEdits.get(draftId)?.catch(() => {})]);
  }

  stop(): void {
    for (const slot of this.slots.values()) if (slot.timer) clearTimeout(slot.timer);
    this.slots.clear();
  }

  private schedule(draftId: string, slot: Slot): void {
    const wait = Math.max(0, slot.lastEditAt + this.minIntervalMs - Date.now());
    slot.timer = setTimeout(() => void this.flush(draftId, slot), wait);
  }

  private async flush(draftId: string, slot: Slot): Promise<void> {
    slot.timer = undefined;
    const queued = this.queuedEdits.get(draftId);
    if (queued) {
      // A queue-position edit is still on its way: space the first progress edit from its end.
      slot.busy = true;
      await queued.catch(() => {});
      slot.busy = false;
      slot.lastEditAt = Math.max(slot.lastEditAt, this.queuedAt.get(draftId) ?? 0);
      if (this.slots.get(draftId) === slot) this.schedule(draftId, slot);
      return;
    }
    const progress = slot.pending;
    slot.pending = undefined;
    if (!progress || this.finished.has(draftId)) return;
    slot.busy = true;
    slot.editing = this.edit(draftId, progress);
    await slot.editing;
    slot.lastEditAt = Date.now();
    slot.busy = false;
    if (slot.pending && this.slots.get(draftId) === slot && !this.finished.has(draftId)) this.schedule(draftId, slot);
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
