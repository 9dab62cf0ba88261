/**
 * The bot's side of finished renders: each finished job (completed or failed for good) is handed to
 * `deliver` exactly once, however often the bot hears of it. It hears through BullMQ QueueEvents
 * while it runs, and through a sweep of recently finished jobs when it starts (renders that finished
 * while the bot was down). Every delivery first takes the guard `SET <prefix>:delivered:<jobId> NX`;
 * whoever wins delivers, everyone else (a second bot, a duplicate event, the sweep) skips. If
 * `deliver` throws, the guard is dropped so the next sweep tries again (at-least-once at that point
 * rather than at-most-once: a message is better twice than never).
 * After a Redis outage (either connection reconnects; the bot's is already connected at start, so
 * its 'ready' means a reconnect) `resume()` drops the guards that could not be dropped while Redis
 * was away and sweeps again: a finished job whose event arrived while the bot's connection was down,
 * or that finished while QueueEvents was away, is delivered then. close() lets deliveries under way
 * finish first, so a bot restart does not cut one off after its guard was taken.
 */
import { QueueEvents, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { watchConnection } from './connection-watch.js';
import type { JobResult, RenderProgress } from './job-handler.js';
import { connectForWorker, queueKeys, RENDER_QUEUE_NAME } from './redis-connections.js';

export type RenderOutcome =
  | { jobId: string; name: string; data: unknown; state: 'completed'; result: JobResult }
  | { jobId: string; name: string; data: unknown; state: 'failed'; reason: string; attemptsMade: number };

export interface ResultDeliveryOptions {
  /** Bot connection (guards and job reads). */
  connection: Redis;
  /** The render queue (FairQueue.queue). */
  queue: Queue;
  prefix: string;
  /** QueueEvents needs a blocking connection of its own, made from this URL. */
  redisUrl: string;
  log: Logger;
  deliver(outcome: RenderOutcome): Promise<void>;
  onProgress?(jobId: string, progress: RenderProgress): void;
  /** Finished jobs looked at by the start-up sweep (newest first; default 1000). */
  sweepLimit?: number;
  /** How long close() waits for deliveries under way (default 10 s). */
  closeGraceMs?: number;
  /** Lifetime of a delivery guard (default 14 days; longer than finished jobs are kept). */
  guardTtlSeconds?: number;
}

export class ResultDelivery {
  private events: QueueEvents | null = null;
  private eventsConnection: Redis | null = null;
  private unwatch: (() => void) | null = null;
  /** Guards of failed deliveries that Redis was too far away to drop; dropped by resume(). */
  private readonly stuckGuards = new Set<string>();
  private sweeping: Promise<number> | null = null;
  private readonly inFlight = new Set<Promise<boolean>>();
  private closing = false;
  private sweepAgain = false;

  constructor(private readonly opts: ResultDeliveryOptions) {}

  /** Listens for events, then sweeps; resolves after the sweep with the number delivered by it. */
  async start(): Promise<number> {
    this.eventsConnection = connectForWorker(this.opts.redisUrl);
    this.unwatch = watchConnection(this.eventsConnection, this.opts.log, { connection: 'queue events', onReconnect: () => this.resume() });
    // The bot's connection is its owner's to log; a reconnect of it is the other moment to catch up
    // (whichever of the two connections comes back last finds both ready).
    const onBotReady = () => void this.resume().catch((error: unknown) => this.opts.log.warn({ err: error }, 'catching up after the reconnect failed'));
    this.opts.connection.on('ready', onBotReady);
    const unwatchEvents = this.unwatch;
    this.unwatch = () => {
      unwatchEvents();
      this.opts.connection.off('ready', onBotReady);
    };
    const events = new QueueEvents(RENDER_QUEUE_NAME, { connection: this.eventsConnection, prefix: this.opts.prefix });
    this.events = events;
    events.on('completed', ({ jobId }) => void this.deliverOnce(jobId));
    events.on('failed', ({ jobId }) => void this.deliverOnce(jobId));
    events.on('progress', ({ jobId, data }) => this.opts.onProgress?.(jobId, data as unknown as RenderProgress));
    events.on('error', (error) => this.opts.log.warn({ err: error }, 'queue events error'));
    await events.waitUntilReady();
    return this.sweep();
  }

  /**
   * Catches up after a Redis outage: drops the guards of deliveries that failed meanwhile, then
   * sweeps. Does nothing while the bot's connection is still away; its own reconnect calls this
   * again.
   */
  async resume(): Promise<number> {
    const { connection, log } = this.opts;
    if (connection.status !== 'ready') return 0;
    for (const guard of this.stuckGuards) {
      await connection.del(guard);
      this.stuckGuards.delete(guard);
    }
    const delivered = await this.sweep();
    log.info({ delivered }, 'swept finished renders after a Redis outage');
    return delivered;
  }

  /**
   * Delivers every recently finished job not delivered yet. Returns how many it delivered. Sweeps
   * asked for while one runs share one more pass after it (two reconnects close together).
   */
  sweep(): Promise<number> {
    if (this.sweeping) {
      this.sweepAgain = true;
      return this.sweeping;
    }
    const run = async (): Promise<number> => {
      let delivered = 0;
      do {
        this.sweepAgain = false;
        delivered += await this.sweepOnce();
      } while (this.sweepAgain);
      return delivered;
    };
    this.sweeping = run().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<number> {
    const jobs = await this.opts.queue.getJobs(['completed', 'failed'], 0, (this.opts.sweepLimit ?? 1000) - 1);
    let delivered = 0;
    for (const job of jobs) if (job?.id && (await this.deliverOnce(job.id))) delivered += 1;
    return delivered;
  }

  /**
   * Delivers `jobId` if it has finished for good and nobody has delivered it. True if this call did.
   * After close() began it delivers nothing (the job stays for the next bot's sweep).
   */
  deliverOnce(jobId: string): Promise<boolean> {
    if (this.closing) return Promise.resolve(false);
    const delivery = this.deliverNow(jobId);
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
    return delivery;
  }

  private async deliverNow(jobId: string): Promise<boolean> {
    const { queue, connection, prefix, log } = this.opts;
    try {
      const job = await queue.getJob(jobId);
      if (!job) return false;
      const state = await job.getState();
      if (state !== 'completed' && state !== 'failed') return false;
      const guard = queueKeys.delivered(prefix, jobId);
      const won = await connection.set(guard, String(Date.now()), 'EX', this.opts.guardTtlSeconds ?? 14 * 24 * 3600, 'NX');
      if (won !== 'OK') return false;
      const base = { jobId, name: job.name, data: job.data as unknown };
      const outcome: RenderOutcome =
        state === 'completed'
          ? { ...base, state, result: job.returnvalue as JobResult }
          : { ...base, state, reason: job.failedReason, attemptsMade: job.attemptsMade };
      try {
        await this.opts.deliver(outcome);
      } catch (error) {
        await connection.del(guard).catch(() => this.stuckGuards.add(guard));
        log.warn({ err: error, jobId }, 'delivery failed; the next sweep retries it');
        return false;
      }
      return true;
    } catch (error) {
      log.warn({ err: error, jobId }, 'could not read a finished job');
      return false;
    }
  }

  /**
   * Stops hearing of results, then lets deliveries under way finish (up to `closeGraceMs`) before
   * the owner closes the bot connection and Discord client: a delivery cut off there would keep its
   * guard without having posted anything, and no later sweep would post it.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.unwatch?.();
    await this.events?.close();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.opts.closeGraceMs ?? 10_000)));
    await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
    clearTimeout(timer);
    if (this.inFlight.size > 0) this.opts.log.warn({ deliveries: this.inFlight.size }, 'stopped with deliveries still under way');
    this.eventsConnection?.disconnect();
  }
}
