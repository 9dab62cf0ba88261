/**
 * Measurements for bench/: how fast the bot can enqueue (the fair-queue Lua plus BullMQ's add) and
 * how long a job waits between enqueue and start when a worker is idle. The caller supplies a
 * FairQueue on a throwaway prefix (and, for latency, a running worker) and cleans up afterwards.
 */
import { randomUUID } from 'node:crypto';
import type { FairQueue } from './fair-queue.js';
import type { DraftPayload } from './job-payloads.js';

export interface ThroughputResult {
  jobs: number;
  ms: number;
  perSecond: number;
}

export interface LatencyResult {
  samples: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

/** A small valid draft payload for user `userId` (bench and tests). */
export function sampleDraft(userId: string, overrides: Partial<DraftPayload> = {}): DraftPayload {
  return {
    v: 1,
    requestId: randomUUID(),
    userId,
    channel: { channelId: 'bench' },
    draftId: randomUUID(),
    prompt: 'a lighthouse at dusk, watercolor',
    negative: '',
    seed: 42,
    safetyCheck: true,
    steps: 4,
    width: 64,
    height: 64,
    variants: 1,
    ...overrides,
  };
}

/** Enqueues `jobs` drafts from `users` users, `parallel` at a time. Caps must allow them. */
export async function measureEnqueueThroughput(fq: FairQueue, jobs: number, users = 10, parallel = 8): Promise<ThroughputResult> {
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < jobs) {
      const i = next++;
      await fq.enqueue('draft', sampleDraft(`bench-user-${i % users}`, { storyId: `bench-story-${i % (users * 2)}` }));
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  const ms = performance.now() - started;
  return { jobs, ms, perSecond: (jobs * 1000) / ms };
}

/**
 * Enqueue-to-start latency with an idle worker: enqueues one draft at a time, waits for it to
 * finish, and reads processedOn - timestamp from the job (both stamped by the processes' clocks).
 */
export async function measureEnqueueToStart(
  fq: FairQueue,
  samples: number,
  payload: (i: number) => DraftPayload = (i) => sampleDraft(`latency-user-${i % 3}`),
  timeoutMs = 30_000,
): Promise<LatencyResult> {
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const { jobId } = await fq.enqueue('draft', payload(i));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await fq.queue.getJob(jobId);
      if (job?.finishedOn && job.processedOn) {
        latencies.push(job.processedOn - job.timestamp);
        break;
      }
      if (Date.now() > deadline) throw new Error(`bench job ${jobId} did not finish within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return {
    samples,
    meanMs: latencies.reduce((a, b) => a + b, 0) / samples,
    p50Ms: at(0.5),
    p95Ms: at(0.95),
    maxMs: latencies[latencies.length - 1]!,
  };
}
