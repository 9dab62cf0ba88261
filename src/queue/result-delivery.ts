/**
 * The bot's side of finished renders: each finished job (completed or failed for good) is handed to
 * `deliver` once, however often the bot hears of it. It hears through BullMQ QueueEvents while it
 * runs, and through a sweep of recently finished jobs when it starts (renders that finished while the
 * bot was down). Every delivery first takes the guard `<prefix>:delivered:<jobId>` with NX, in two
 * phases: a short *lease* (`delivering:<owner>:<ts>`, expiring after `leaseMs`, and the job listed in
 * the `delivery-leases` sorted set by lease expiry) while `deliver` runs, then the final guard
 * (`<ts>`, 14 days) once it returned. Whoever takes the lease delivers; everyone else (a second bot,
 * a duplicate event, the sweep) skips.
 * The rule is at-most-once while the deliverer lives, at-least-once after it dies: if the bot is
 * killed (SIGKILL, OOM, a crash) in the middle of `deliver`, nothing finalises the guard, the lease
 * runs out, and a lease check (every `leaseCheckMs`, and at start, in any bot) or a sweep delivers the
 * job again. A delivery that runs longer than `leaseMs` while alive may therefore be delivered twice:
 * the default lease is far above a normal delivery, and a repeat delivery edits the same message.
 * If `deliver` throws, the lease is dropped so the next sweep tries again (a message is better twice
 * than never). Guards written before leases existed (a plain timestamp) count as delivered.
 * After a Redis outage (either connection reconnects; the bot's is already connected at start, so
 * its 'ready' means a reconnect) `resume()` finishes the guard writes that could not be made while
 * Redis was away and sweeps again: a finished job whose event arrived while the bot's connection was
 * down, or that finished while QueueEvents was away, is delivered then. close() lets deliveries under
 * way finish first, so a bot restart does not cut one off after its lease was taken.
 */
import { randomBytes } from 'node:crypto';
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
  /**
   * How long a delivery holds its lease before another bot may take it as cut off (default 120 s:
   * well above a normal delivery, which includes a Discord upload and its rate-limit waits).
   */
  leaseMs?: number;
  /** How often this bot looks for leases that ran out (default 30 s). */
  leaseCheckMs?: number;
}

const LEASE = 'delivering:';

/**
 * Takes back the lease of job ARGV[1] if it ran out before ARGV[2] (ms): KEYS[1] the guard, KEYS[2]
 * the lease set. Returns 1 when the job should be delivered again, 0 when not (delivered meanwhile,
 * or someone else took it back or took a fresh lease first). One script, so two bots checking at
 * once cannot both take it.
 */
const RECLAIM_LUA = `
local expires = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not expires or tonumber(expires) > tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
local guard = redis.call('GET', KEYS[1])
if guard and string.sub(guard, 1, ${LEASE.length}) ~= '${LEASE}' then return 0 end
if guard then redis.call('DEL', KEYS[1]) end
return 1
`;

export class ResultDelivery {
  private events: QueueEvents | null = null;
  private eventsConnection: Redis | null = null;
  private unwatch: (() => void) | null = null;
  /** Jobs whose delivery failed while Redis was too far away to drop their lease; dropped by resume(). */
  private readonly stuckLeases = new Set<string>();
  /** Jobs delivered while Redis was too far away to finalise their guard; finalised by resume(). */
  private readonly unfinalised = new Set<string>();
  /** Jobs this bot is delivering now: its own lease check leaves them alone. */
  private readonly delivering = new Set<string>();
  /** Names this bot in its leases (which bot held a lease that ran out, when reading Redis by hand). */
  private readonly owner = randomBytes(4).toString('hex');
  private leaseTimer: NodeJS.Timeout | null = null;
  private checkingLeases: Promise<number> | null = null;
  private sweeping: Promise<number> | null = null;
  private readonly inFlight = new Set<Promise<boolean>>();
  private closing = false;
  private sweepAgain = false;

  constructor(private readonly opts: ResultDeliveryOptions) {}

  /**
   * Listens for events, sweeps, checks leases once and then every `leaseCheckMs`; resolves with the
   * number the sweep and that first check delivered.
   */
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
    const swept = await this.sweep();
    // Leases cut off by a bot that died, including jobs too old for the sweep; then periodically,
    // for bots that die while this one runs.
    const reclaimed = await this.checkLeases().catch((error: unknown) => {
      this.opts.log.warn({ err: error }, 'could not check delivery leases');
      return 0;
    });
    if (!this.closing) {
      this.leaseTimer = setInterval(
        () => void this.checkLeases().catch((error: unknown) => this.opts.log.warn({ err: error }, 'could not check delivery leases')),
        this.opts.leaseCheckMs ?? 30_000,
      );
      this.leaseTimer.unref();
    }
    return swept + reclaimed;
  }

  /**
   * Catches up after a Redis outage: finalises the guards of deliveries that succeeded meanwhile and
   * drops those of deliveries that failed, then sweeps. Does nothing while the bot's connection is
   * still away; its own reconnect calls this again.
   */
  async resume(): Promise<number> {
    const { connection, log } = this.opts;
    if (connection.status !== 'ready') return 0;
    for (const jobId of this.unfinalised) {
      await this.finalise(jobId);
      this.unfinalised.delete(jobId);
    }
    for (const jobId of this.stuckLeases) {
      await this.dropLease(jobId);
      this.stuckLeases.delete(jobId);
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
   * Delivers again the jobs whose lease ran out with their guard still a lease (their deliverer
   * died) or gone. Returns how many this call delivered. Checks asked for while one runs share it.
   */
  checkLeases(): Promise<number> {
    this.checkingLeases ??= this.checkLeasesNow().finally(() => (this.checkingLeases = null));
    return this.checkingLeases;
  }

  private async checkLeasesNow(): Promise<number> {
    const { connection, prefix, log } = this.opts;
    if (this.closing || connection.status !== 'ready') return 0;
    const leases = queueKeys.deliveryLeases(prefix);
    const now = Date.now();
    const expired = await connection.zrangebyscore(leases, '-inf', now, 'LIMIT', 0, 100);
    let delivered = 0;
    for (const jobId of expired) {
      // Its own deliveries under way, and those delivered but not yet marked so (resume() will), are alive.
      if (this.delivering.has(jobId) || this.unfinalised.has(jobId) || this.closing) continue;
      const reclaimed = await connection.eval(RECLAIM_LUA, 2, queueKeys.delivered(prefix, jobId), leases, jobId, now);
      if (reclaimed !== 1) continue;
      log.warn({ jobId }, 'redelivering a result whose delivery was cut off');
      if (await this.deliverOnce(jobId)) delivered += 1;
    }
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
    const { queue, log } = this.opts;
    try {
      const job = await queue.getJob(jobId);
      if (!job) return false;
      const state = await job.getState();
      if (state !== 'completed' && state !== 'failed') return false;
      if (!(await this.takeLease(jobId))) return false;
      const base = { jobId, name: job.name, data: job.data as unknown };
      const outcome: RenderOutcome =
        state === 'completed'
          ? { ...base, state, result: job.returnvalue as JobResult }
          : { ...base, state, reason: job.failedReason, attemptsMade: job.attemptsMade };
      this.delivering.add(jobId);
      try {
        await this.opts.deliver(outcome);
      } catch (error) {
        await this.dropLease(jobId).catch(() => this.stuckLeases.add(jobId));
        log.warn({ err: error, jobId }, 'delivery failed; the next sweep retries it');
        return false;
      } finally {
        this.delivering.delete(jobId);
      }
      // Left as a lease, the guard would run out and the job be delivered again: resume() retries.
      await this.finalise(jobId).catch((error: unknown) => {
        this.unfinalised.add(jobId);
        log.warn({ err: error, jobId }, 'delivered, but could not mark it delivered; retried once Redis is back');
      });
      return true;
    } catch (error) {
      log.warn({ err: error, jobId }, 'could not read a finished job');
      return false;
    }
  }

  /** Takes the lease on `jobId`'s guard (NX) and lists it among leases; true if this bot has it. */
  private async takeLease(jobId: string): Promise<boolean> {
    const { connection, prefix } = this.opts;
    const leaseMs = this.opts.leaseMs ?? 120_000;
    const now = Date.now();
    const won = await connection.set(queueKeys.delivered(prefix, jobId), `${LEASE}${this.owner}:${now}`, 'PX', leaseMs, 'NX');
    if (won !== 'OK') return false;
    // A separate command: if the bot dies between the two, the lease still runs out by its TTL and
    // the next sweep delivers the job (only jobs beyond the sweep's reach need the lease set).
    await connection.zadd(queueKeys.deliveryLeases(prefix), now + leaseMs, jobId);
    return true;
  }

  /** Marks `jobId` delivered for good: the final guard with its long TTL, and no lease listed. */
  private async finalise(jobId: string): Promise<void> {
    const { connection, prefix } = this.opts;
    await connection
      .multi()
      .set(queueKeys.delivered(prefix, jobId), String(Date.now()), 'EX', this.opts.guardTtlSeconds ?? 14 * 24 * 3600)
      .zrem(queueKeys.deliveryLeases(prefix), jobId)
      .exec();
  }

  /** Drops `jobId`'s lease and guard so the next sweep delivers it again. */
  private async dropLease(jobId: string): Promise<void> {
    const { connection, prefix } = this.opts;
    await connection.multi().del(queueKeys.delivered(prefix, jobId)).zrem(queueKeys.deliveryLeases(prefix), jobId).exec();
  }

  /**
   * Stops hearing of results, then lets deliveries under way finish (up to `closeGraceMs`) before
   * the owner closes the bot connection and Discord client: a delivery cut off there would be
   * delivered again only after its lease ran out.
   */
  async close(): Promise<void> {
    this.closing = true;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
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
