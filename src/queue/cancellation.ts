/**
 * Cancelling a render. A waiting job is simply removed from the queue (and gives its fair-queue slot
 * back). An active job cannot be removed (a worker holds its lock), so the bot sets the flag
 * `<prefix>:cancel:<jobId>`; the worker polls it while the job runs and turns it into an AbortSignal,
 * which the engine checks between steps. The flag is set first in every case, so a job that starts
 * between the bot's look and its removal still stops. Cost: one GET per active job per poll.
 */
import type { Redis } from 'ioredis';
import { markWithdrawn } from './fair-scripts.js';
import type { FairQueue } from './fair-queue.js';
import { queueKeys } from './redis-connections.js';

/** removed: it never ran; stopping: it is rendering and stops at its next step; finished: too late. */
export type CancelOutcome = 'removed' | 'stopping' | 'finished' | 'unknown';

const FLAG_TTL_SECONDS = 24 * 3600;

/** Bot side: cancels a waiting or active render. */
export async function cancelRender(fq: FairQueue, jobId: string): Promise<CancelOutcome> {
  const redis = fq.connection;
  const flag = queueKeys.cancel(fq.prefix, jobId);
  await redis.set(flag, '1', 'EX', FLAG_TTL_SECONDS);
  const job = await fq.queue.getJob(jobId);
  if (!job) {
    await redis.del(flag);
    return 'unknown';
  }
  const state = await job.getState();
  if (state === 'completed' || state === 'failed') {
    await redis.del(flag);
    return 'finished';
  }
  if (state !== 'active') {
    try {
      await job.remove();
      await markWithdrawn(redis, fq.fairKeys, jobId);
      await redis.del(flag);
      return 'removed';
    } catch {
      // It became active (locked) meanwhile: the flag stops it.
    }
  }
  return 'stopping';
}

/** Worker side: true when the bot asked to cancel this job. */
export async function isCancelRequested(redis: Redis, prefix: string, jobId: string): Promise<boolean> {
  return (await redis.exists(queueKeys.cancel(prefix, jobId))) === 1;
}

export interface CancellationWatch {
  /** Aborts (reason 'cancelled') once the flag is seen. */
  readonly signal: AbortSignal;
  stop(): void;
}

/** Worker side: polls the cancel flag of `jobId` every `pollMs` until stop(). */
export function watchCancellation(redis: Redis, prefix: string, jobId: string, pollMs = 250): CancellationWatch {
  const controller = new AbortController();
  let stopped = false;
  const check = async () => {
    if (stopped || controller.signal.aborted) return;
    try {
      if (await isCancelRequested(redis, prefix, jobId)) controller.abort('cancelled');
    } catch {
      // Redis hiccup: try again at the next poll.
    }
  };
  const timer = setInterval(() => void check(), pollMs);
  timer.unref();
  void check();
  return {
    signal: controller.signal,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/** Worker side: the flag is no longer needed once the job has ended. */
export async function clearCancelFlag(redis: Redis, prefix: string, jobId: string): Promise<void> {
  await redis.del(queueKeys.cancel(prefix, jobId));
}
