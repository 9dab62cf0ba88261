/**
 * The bot's side of the render queue: fair enqueue on top of BullMQ, caps, and queue positions/ETAs.
 *
 * Fairness is start-time virtual-clock queueing expressed through BullMQ priorities (lower runs
 * first), in two levels:
 *  1. Users. Virtual time V is the tag of the last job that started. Each user u has a finish tag
 *     F_u; an enqueue gives u a new *slot* with tag max(V, F_u) + 1 and sets F_u to it. So a user
 *     who queues 20 drafts holds slots V+1..V+20 and one who then queues 1 gets V+1: they alternate.
 *  2. Stories. Within a user, waiting jobs are ordered by a story tag with the same rule per story
 *     lane (storyId, or 'solo:<user>'), and the i-th job in that order occupies the user's i-th slot.
 *     A job for a new story therefore takes the user's earliest free turn, and the user's later jobs
 *     shift one slot back (their priorities are rewritten in the same Lua step; a user waits on at
 *     most QUEUE_MAX_WAITING_PER_USER jobs, so that is a handful of ZADDs).
 * Equal tags run FIFO (BullMQ's insertion counter). When nothing waits and V has grown past half of
 * BullMQ's largest priority (2,097,152), time restarts at zero. Retries re-enter with the priority
 * they had, outside the bookkeeping (they already had their turn).
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { fairKeys, markWithdrawn, reserveSlot, settleSlots, type FairKeys } from './fair-scripts.js';
import { JobInputError } from './job-input-error.js';
import { parsePayload, storyLane, type JobName, type PayloadInput } from './job-payloads.js';
import { QueueFullError } from './queue-full-error.js';
import { RENDER_QUEUE_NAME } from './redis-connections.js';
import { averageRenderMs, estimateEta, liveWorkerSlots } from './render-eta.js';

export interface FairQueueOptions {
  /** A bot connection (connectForBot): fails fast when Redis is down. Not closed by close(). */
  connection: Redis;
  /** BullMQ key prefix (QUEUE_PREFIX). */
  prefix: string;
  maxWaitingPerUser: number;
  maxWaitingPerStory: number;
  /** Tries per job, counting the first (transient failures only; default 3). */
  attempts?: number;
  /** First retry delay; doubles each time (default 2000 ms). */
  backoffMs?: number;
  /** How long finished jobs stay for the delivery sweep (default 7 days). */
  keepFinishedSeconds?: number;
}

export interface QueuePosition {
  jobId: string;
  state: 'waiting' | 'active' | 'completed' | 'failed' | 'delayed' | 'unknown';
  /** 1-based place among waiting jobs (1 = next to start); null unless waiting. */
  position: number | null;
  /** Estimated ms until the job starts / is done; null before any render time is known. */
  etaStartMs: number | null;
  etaDoneMs: number | null;
}

export interface EnqueuedJob {
  jobId: string;
  /** BullMQ priority given at enqueue (the user's slot tag). */
  priority: number;
  /** False when the same requestId was already queued (enqueue is idempotent). */
  created: boolean;
  position: QueuePosition;
}

export class FairQueue {
  readonly queue: Queue;
  readonly prefix: string;
  private readonly redis: Redis;
  private readonly keys: FairKeys;

  constructor(private readonly opts: FairQueueOptions) {
    this.redis = opts.connection;
    this.prefix = opts.prefix;
    this.queue = new Queue(RENDER_QUEUE_NAME, { connection: opts.connection, prefix: opts.prefix });
    this.keys = fairKeys(opts.prefix, RENDER_QUEUE_NAME);
  }

  /**
   * Validates and queues one job. Throws JobInputError for a payload that does not parse and
   * QueueFullError when the user or the story already has its cap of waiting jobs.
   * @example await queue.enqueue('draft', { v: 1, requestId, userId, channel, draftId, prompt, seed, width: 512, height: 512, variants: 4 })
   */
  async enqueue<N extends JobName>(name: N, input: PayloadInput<N>): Promise<EnqueuedJob> {
    const parsed = parsePayload(name, input);
    if (!parsed.ok) throw new JobInputError(parsed.reason);
    const payload = parsed.payload;
    const jobId = payload.requestId;
    const reservation = await reserveSlot(this.redis, this.keys, {
      jobId,
      user: payload.userId,
      lane: storyLane(payload),
      maxPerUser: this.opts.maxWaitingPerUser,
      maxPerLane: this.opts.maxWaitingPerStory,
    });
    if (reservation.kind === 'dup') {
      const job = await this.queue.getJob(jobId);
      return { jobId, priority: job?.priority ?? 0, created: false, position: await this.positionOf(jobId) };
    }
    if (reservation.kind !== 'ok') {
      const max = reservation.kind === 'user' ? this.opts.maxWaitingPerUser : this.opts.maxWaitingPerStory;
      throw new QueueFullError(reservation.kind, reservation.waiting, max);
    }
    const keepFor = this.opts.keepFinishedSeconds ?? 7 * 24 * 3600;
    try {
      await this.queue.add(name, payload, {
        jobId,
        priority: reservation.priority,
        attempts: this.opts.attempts ?? 3,
        backoff: { type: 'exponential', delay: this.opts.backoffMs ?? 2000 },
        removeOnComplete: { age: keepFor },
        removeOnFail: { age: keepFor },
      });
    } catch (error) {
      await markWithdrawn(this.redis, this.keys, jobId).catch(() => {});
      throw error;
    }
    // A concurrent enqueue by the same user may have moved slots before this job existed.
    await settleSlots(this.redis, this.keys, payload.userId);
    return { jobId, priority: reservation.priority, created: true, position: await this.positionOf(jobId) };
  }

  /** Where a job stands: its place among waiting jobs and an ETA from recent render times. */
  async positionOf(jobId: string): Promise<QueuePosition> {
    const q = this.queue.keys;
    const replies = await this.redis
      .multi()
      .zrank(q.prioritized!, jobId)
      .llen(q.wait!)
      .lpos(q.wait!, jobId)
      .llen(q.active!)
      .hget(`${this.queue.toKey(jobId)}`, 'name')
      .exec();
    const [rank, waitLen, waitIdx, activeLen, name] = (replies ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    }) as [number | null, number, number | null, number, string | null];
    let position: number | null = null;
    if (rank !== null) position = waitLen + rank + 1;
    else if (waitIdx !== null) position = waitLen - waitIdx; // workers take from the list's tail
    if (position === null) {
      const state = name === null ? 'unknown' : await this.queue.getJobState(jobId);
      const known = ['active', 'completed', 'failed', 'delayed'] as const;
      const s = (known as readonly string[]).includes(state) ? (state as QueuePosition['state']) : 'unknown';
      return { jobId, state: s, position: null, etaStartMs: s === 'active' ? 0 : null, etaDoneMs: null };
    }
    const [slots, avgMs] = await Promise.all([
      liveWorkerSlots(this.redis, this.prefix),
      averageRenderMs(this.redis, this.prefix, name ?? '*'),
    ]);
    const eta = estimateEta(position, activeLen, slots, avgMs);
    return { jobId, state: 'waiting', position, etaStartMs: eta?.startMs ?? null, etaDoneMs: eta?.doneMs ?? null };
  }

  /** Internal to src/queue: the fairness keys (cancellation withdraws waiting jobs through them). */
  get fairKeys(): FairKeys {
    return this.keys;
  }

  get connection(): Redis {
    return this.redis;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
