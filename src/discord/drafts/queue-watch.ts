/**
 * Keeps waiting drafts' messages honest: every `refreshMs` it looks at the draft and refine jobs
 * still waiting in the render queue and edits a message when its place in line has changed, or
 * when its ETA has drifted noticeably and was last shown a while ago. Edits go through the progress
 * board, which spaces them like progress edits and drops them once rendering has begun. The queue
 * itself is the list of what to watch, so the watch needs no state of its own across restarts.
 */
import type { QueuePosition } from '../../queue/index.js';
import type { BotContext } from '../bot-context.js';
import { queuedView } from './draft-view.js';

/** What a waiting draft's message last showed. */
export interface ShownPosition {
  position: number | null;
  etaMs: number | null;
  at: number;
}

/** An ETA shown is left alone for this long unless the place in line changes. */
export const ETA_REFRESH_MS = 15_000;
const MAX_WATCHED = 100;

/**
 * Whether a waiting draft's message should be edited: a new place in line always; a new ETA only
 * after ETA_REFRESH_MS and when it moved by at least 5 s or a fifth.
 */
export function worthRefreshing(last: ShownPosition | undefined, now: Pick<QueuePosition, 'position' | 'etaDoneMs'>, nowMs: number): boolean {
  if (!last) return true;
  if (last.position !== now.position) return true;
  if (nowMs - last.at < ETA_REFRESH_MS || now.etaDoneMs === last.etaMs) return false;
  if (now.etaDoneMs === null || last.etaMs === null) return true;
  return Math.abs(now.etaDoneMs - last.etaMs) >= Math.max(5000, 0.2 * last.etaMs);
}

export class QueueWatch {
  private readonly last = new Map<string, ShownPosition>();
  private timer?: NodeJS.Timeout;
  private ticking = false;

  constructor(
    private readonly ctx: BotContext,
    readonly refreshMs = 5000,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Notes what a draft's message shows now (after the first position edit). */
  shown(draftId: string, position: number | null, etaMs: number | null): void {
    this.last.set(draftId, { position, etaMs, at: Date.now() });
  }

  /** One pass over the waiting jobs; returns how many messages it edited. */
  async tick(): Promise<number> {
    if (this.ticking) return 0;
    this.ticking = true;
    const { ctx } = this;
    let edited = 0;
    try {
      const jobs = await ctx.queue.queue.getJobs(['waiting', 'prioritized'], 0, MAX_WATCHED - 1);
      const waiting = new Set<string>();
      for (const job of jobs) {
        if (!job?.id || !['draft', 'refine', 'upscale'].includes(job.name)) continue;
        waiting.add(job.id);
        if (!ctx.progress.isFresh(job.id)) continue;
        const p = await ctx.queue.positionOf(job.id);
        if (p.position === null || !worthRefreshing(this.last.get(job.id), p, Date.now())) continue;
        const draft = await ctx.stories.getDraft(job.id);
        if (!draft || draft.status !== 'queued') continue;
        const view = queuedView(await ctx.drafts.viewInfo(draft), p.position, p.etaDoneMs);
        if (await ctx.progress.showQueued(job.id, view)) {
          this.shown(job.id, p.position, p.etaDoneMs);
          edited += 1;
        }
      }
      for (const id of this.last.keys()) if (!waiting.has(id)) this.last.delete(id);
    } catch (error) {
      ctx.log.warn({ err: error }, 'refreshing queue positions failed');
    } finally {
      this.ticking = false;
    }
    return edited;
  }
}
