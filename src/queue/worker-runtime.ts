/**
 * The render worker's runtime: one BullMQ Worker on the render queue that runs the injected handler
 * for each job, WORKER_CONCURRENCY at a time. Around every handler it: marks the job started for
 * the fair queue, validates the payload (unknown name or bad payload -> UnrecoverableError with a
 * readable reason, no retries), turns the cancel flag into an AbortSignal, stores previews and sends
 * progress, records render times and metrics, and sorts errors: cancelled or bad input -> fail now;
 * anything else -> retry with exponential backoff (the job's attempts, 3 by default), and on the last
 * attempt fail with one friendly sentence (the error itself is logged). Stalled jobs (a worker killed
 * mid-job) return to the queue after the lock (WORKER_LOCK_MS) lapses and the stalled check (every
 * stalledIntervalMs) finds them, up to `maxStalls` times; a job that killed `poisonLimit` different
 * workers by itself is failed as poison (worker-deaths.ts). close() lets running jobs finish for a
 * grace period, then aborts them and hands them back to the queue without spending an attempt.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Logger } from '../log.js';
import type { BlobStore } from './blob-store.js';
import { clearCancelFlag, isCancelRequested, watchCancellation } from './cancellation.js';
import { fairKeys, markStarted } from './fair-scripts.js';
import type { HandlerContext, HandlerRegistry, JobHandler, JobResult, RenderProgress, StepReport } from './job-handler.js';
import { JobInputError } from './job-input-error.js';
import { isJobName, parsePayload, type JobName } from './job-payloads.js';
import type { QueueMetrics } from './metrics.js';
import { watchConnection } from './connection-watch.js';
import { connectForWorker, RENDER_QUEUE_NAME } from './redis-connections.js';
import { announceWorker, recordRenderTime, retireWorker, WORKER_HEARTBEAT_MS } from './render-eta.js';
import { INTERNAL_FAILURE, poisonSentence } from './render-failure.js';
import { isTransientError } from './transient-error.js';
import { claimJob, isPoison, markHolderStep, recordStalledJob, releaseJob, workersLost } from './worker-deaths.js';

export interface RenderWorkerOptions {
  redisUrl: string;
  prefix: string;
  handlers: HandlerRegistry;
  blobs: BlobStore;
  log: Logger;
  concurrency: number;
  /** Job lock (WORKER_LOCK_MS): a dead worker's job is taken back after about this long. */
  lockMs: number;
  /** How often to look for stalled jobs (default lockMs). */
  stalledIntervalMs?: number;
  /** WORKER_MAX_STALLS: how often a job may be taken back from dead workers before it fails (default 10). */
  maxStalls?: number;
  /** WORKER_POISON_LIMIT: different workers a job may kill by itself before it is failed as poison (default 3). */
  poisonLimit?: number;
  workerId?: string;
  /** Store a preview every this many steps (PREVIEW_EVERY; default 5). */
  previewEvery?: number;
  cancelPollMs?: number;
  /** close() waits this long for running jobs before releasing them (default 10 s). */
  shutdownGraceMs?: number;
  metrics?: QueueMetrics;
}

export interface RenderWorker {
  readonly id: string;
  readonly worker: Worker;
  /** Stops taking jobs, finishes or releases running ones, closes connections. Idempotent. */
  close(): Promise<void>;
}

/** Starts a worker; resolves once it is connected and taking jobs. */
export async function startRenderWorker(opts: RenderWorkerOptions): Promise<RenderWorker> {
  const id = opts.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const log = opts.log.child({ name: 'worker', worker: id });
  const redis = connectForWorker(opts.redisUrl);
  // A Redis restart only pauses this worker: BullMQ resumes on the reconnected connection by itself.
  const unwatch = watchConnection(redis, log, { connection: 'worker', onReconnect: () => announceWorker(redis, opts.prefix, id, opts.concurrency) });
  const keys = fairKeys(opts.prefix, RENDER_QUEUE_NAME);
  const shutdown = new AbortController();
  const poisonLimit = opts.poisonLimit ?? 3;

  const processor = async (job: Job, token?: string): Promise<JobResult> => {
    const jobId = job.id!;
    await markStarted(redis, keys, jobId);
    if (job.attemptsMade === 0 && job.processedOn) {
      opts.metrics?.waitSeconds.observe({ name: job.name }, Math.max(0, job.processedOn - job.timestamp) / 1000);
    }
    const handler = isJobName(job.name) ? (opts.handlers[job.name] as JobHandler<JobName> | undefined) : undefined;
    if (!handler) throw new UnrecoverableError(`This worker cannot run "${job.name}" jobs; nothing was rendered.`);
    const parsed = parsePayload(job.name as JobName, job.data);
    if (!parsed.ok) throw new UnrecoverableError(parsed.reason);
    if (await isCancelRequested(redis, opts.prefix, jobId)) {
      await clearCancelFlag(redis, opts.prefix, jobId);
      throw new UnrecoverableError('The render was cancelled before it started.');
    }
    const deaths = await claimJob(redis, opts.prefix, jobId, id);
    if (deaths.deaths.length > 0) {
      log.warn({ jobId, deaths: deaths.deaths, fleetDeaths: deaths.fleetDeathsSince }, 'workers died holding this job; running it again');
    }
    if (isPoison(deaths, poisonLimit)) {
      await releaseJob(redis, opts.prefix, jobId, id);
      const sentence = poisonSentence(job.name as JobName, parsed.payload, workersLost(deaths));
      log.error({ jobId, deaths: deaths.deaths }, `poison job: ${sentence}`);
      throw new UnrecoverableError(sentence);
    }

    const watch = watchCancellation(redis, opts.prefix, jobId, opts.cancelPollMs);
    const signal = AbortSignal.any([watch.signal, shutdown.signal]);
    const progress = progressReporter(job, opts, log, (step) => markHolderStep(redis, opts.prefix, jobId, id, step));
    const ctx: HandlerContext<JobName> = {
      jobId,
      attempt: job.attemptsMade + 1,
      payload: parsed.payload,
      signal,
      blobs: opts.blobs,
      log: log.child({ jobId, job: job.name }),
      previewEvery: opts.previewEvery ?? 5,
      reportStep: progress.report,
    };
    const startedAt = Date.now();
    const observe = (outcome: string) =>
      opts.metrics?.renderSeconds.observe({ name: job.name, outcome }, (Date.now() - startedAt) / 1000);
    try {
      const result = await handler(ctx);
      await progress.flush();
      observe('completed');
      opts.metrics?.stepsSaved.inc({ name: job.name }, result.stepsSaved ?? 0);
      await recordRenderTime(redis, opts.prefix, job.name, Date.now() - startedAt);
      return result;
    } catch (error) {
      await progress.flush();
      if (watch.signal.aborted) {
        observe('cancelled');
        throw new UnrecoverableError(`The render was cancelled after ${progress.lastStep()} steps.`);
      }
      if (shutdown.signal.aborted && token) {
        observe('released');
        await job.moveToWait(token); // back to the queue; no attempt spent
        throw new WaitingError();
      }
      observe('failed');
      if (error instanceof UnrecoverableError) throw error;
      if (error instanceof JobInputError || (error instanceof Error && error.name === 'RenderInputError')) {
        throw new UnrecoverableError(error.message);
      }
      const lastAttempt = ctx.attempt >= (job.opts.attempts ?? 1);
      log[isTransientError(error) && !lastAttempt ? 'warn' : 'error']({ err: error, jobId, attempt: ctx.attempt, lastAttempt }, 'render failed');
      if (lastAttempt) throw new UnrecoverableError(INTERNAL_FAILURE);
      throw error;
    } finally {
      await releaseJob(redis, opts.prefix, jobId, id).catch(() => {});
      watch.stop();
      await clearCancelFlag(redis, opts.prefix, jobId).catch(() => {});
    }
  };

  const worker = new Worker(RENDER_QUEUE_NAME, processor, {
    connection: redis,
    prefix: opts.prefix,
    concurrency: opts.concurrency,
    lockDuration: opts.lockMs,
    stalledInterval: opts.stalledIntervalMs ?? opts.lockMs,
    // The poison rule must get its look before BullMQ's own stall limit fails the job.
    maxStalledCount: Math.max(opts.maxStalls ?? 10, poisonLimit),
    autorun: false,
    name: id,
  });
  worker.on('error', (error) => log.warn({ err: error }, 'worker connection error'));
  worker.on('failed', (job, error) => log.info({ jobId: job?.id, reason: error.message }, 'job failed'));
  worker.on('stalled', (jobId) => {
    log.warn({ jobId }, 'a worker stopped renewing its lock (it died or hung); its job goes back to the queue');
    void recordStalledJob(redis, opts.prefix, jobId).catch((error: unknown) => log.warn({ err: error, jobId }, 'could not record a worker death'));
  });

  await redis.ping();
  await announceWorker(redis, opts.prefix, id, opts.concurrency);
  const heartbeat = setInterval(
    () => void announceWorker(redis, opts.prefix, id, opts.concurrency).catch(() => {}),
    WORKER_HEARTBEAT_MS / 3,
  );
  heartbeat.unref();
  void worker.run().catch((error: unknown) => log.error({ err: error }, 'worker stopped'));
  await worker.waitUntilReady();
  log.info({ concurrency: opts.concurrency, lockMs: opts.lockMs }, 'render worker ready');

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(heartbeat);
      const grace = setTimeout(() => shutdown.abort('shutdown'), opts.shutdownGraceMs ?? 10_000);
      await worker.close();
      clearTimeout(grace);
      await retireWorker(redis, opts.prefix, id).catch(() => {});
      unwatch();
      redis.disconnect();
      log.info('render worker closed');
    })());
  return { id, worker, close };
}

/** Sends progress in order without blocking the handler; stores previews on the way. */
function progressReporter(job: Job, opts: RenderWorkerOptions, log: Logger, markStep: (step: number) => Promise<void>) {
  const startedAt = Date.now();
  let chain: Promise<void> = Promise.resolve();
  let last = 0;
  let previewKey: string | undefined;
  const every = opts.previewEvery ?? 5;
  const send = async (r: StepReport) => {
    const wantPreview = r.previewPng !== undefined && (r.step % every === 0 || r.step === r.total);
    if (wantPreview) {
      const bytes = typeof r.previewPng === 'function' ? await r.previewPng() : r.previewPng!;
      previewKey = await opts.blobs.put(bytes, 'png');
    }
    const perStep = (Date.now() - startedAt) / Math.max(1, r.step);
    const progress: RenderProgress = { step: r.step, total: r.total, etaMs: Math.round(perStep * (r.total - r.step)) };
    if (previewKey) progress.previewKey = previewKey;
    await Promise.all([job.updateProgress(progress as unknown as object), markStep(r.step)]);
  };
  return {
    report: (r: StepReport) => {
      if (r.step > last) opts.metrics?.stepsRun.inc({ name: job.name }, r.step - last);
      last = Math.max(last, r.step);
      chain = chain.then(() => send(r)).catch((error: unknown) => log.warn({ err: error }, 'progress update failed'));
    },
    flush: () => chain,
    lastStep: () => last,
  };
}
