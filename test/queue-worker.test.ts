// The worker runtime in real worker processes on real Redis: fail-fast on bad input, retries of
// transient errors, cancellation of waiting and active jobs, a SIGKILLed worker's job finishing on
// another worker and being delivered exactly once, the start-up sweep, graceful release on SIGTERM.
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import {
  cancelRender,
  FileBlobStore,
  ResultDelivery,
  sampleDraft,
  type RenderOutcome,
  type RenderProgress,
} from '../src/queue/index.js';
import { createTestbed, REDIS_URL, stopChild, waitFor, type QueueTestbed } from './queue/queue-harness.js';

let bed: QueueTestbed | null = null;
const deliveries: ResultDelivery[] = [];
afterEach(async () => {
  await Promise.all(deliveries.splice(0).map((d) => d.close()));
  await bed?.cleanup();
  bed = null;
});

const log = createLogger('silent');

function delivery(b: QueueTestbed, seen: RenderOutcome[], progress: RenderProgress[] = []): ResultDelivery {
  const d = new ResultDelivery({
    connection: b.redis,
    queue: b.fq.queue,
    prefix: b.prefix,
    redisUrl: REDIS_URL,
    log,
    deliver: async (outcome) => void seen.push(outcome),
    onProgress: (_id, p) => void progress.push(p),
  });
  deliveries.push(d);
  return d;
}

const finished = (b: QueueTestbed, jobId: string) =>
  waitFor(async () => {
    const job = await b.fq.queue.getJob(jobId);
    return job?.finishedOn ? job : undefined;
  }, 30_000, `job ${jobId} to finish`);

describe('render worker runtime', () => {
  it('fails malformed payloads and unknown job names at once with a readable reason', async () => {
    bed = await createTestbed();
    await bed.spawnWorker();
    const opts = { attempts: 3, backoff: { type: 'exponential', delay: 100 } };
    const bad = await bed.fq.queue.add('draft', { v: 1, requestId: 'x', userId: 'u', channel: { channelId: 'c' } }, opts);
    const future = await bed.fq.queue.add('draft', { ...sampleDraft('u'), v: 2 }, opts);
    const unknown = await bed.fq.queue.add('paint', sampleDraft('u'), opts);
    const userError = await bed.fq.enqueue('draft', sampleDraft('u', { prompt: 'bad-mask' }));
    for (const [job, reason] of [
      [bad.id!, 'The draft request is not valid: draftId invalid input: expected string, received undefined.'],
      [future.id!, 'The draft request uses payload version 2, which this worker does not understand.'],
      [unknown.id!, 'This worker cannot run "paint" jobs; nothing was rendered.'],
      [userError.jobId, 'The mask is 32x32 but the picture is 64x64.'],
    ] as const) {
      const done = await finished(bed, job);
      expect(done.failedReason).toBe(reason);
      expect(done.attemptsMade).toBe(1);
    }
  });

  it('retries a transient error with backoff and then succeeds', async () => {
    bed = await createTestbed();
    await bed.spawnWorker();
    const { jobId } = await bed.fq.enqueue('draft', sampleDraft('u', { prompt: 'transient-once' }));
    const done = await finished(bed, jobId);
    expect(await done.isCompleted()).toBe(true);
    expect(done.attemptsStarted).toBe(2);
  });

  it('cancels a waiting job (removed) and an active one (stops at its next step)', async () => {
    bed = await createTestbed();
    await bed.spawnWorker({ STEP_MS: '50' });
    const active = await bed.fq.enqueue('draft', sampleDraft('u1', { steps: 100 }));
    const waiting = await bed.fq.enqueue('draft', sampleDraft('u2', { steps: 100 }));
    const fq = bed.fq;
    const seen = await waitFor(async () => {
      const progress = (await fq.queue.getJob(active.jobId))?.progress;
      const step = typeof progress === 'object' ? (progress as RenderProgress).step : 0;
      return step >= 1 && step;
    }, 10_000, 'progress');
    expect(await cancelRender(bed.fq, waiting.jobId)).toBe('removed');
    expect(await bed.fq.queue.getJob(waiting.jobId)).toBeUndefined();
    const asked = Date.now();
    expect(await cancelRender(bed.fq, active.jobId)).toBe('stopping');
    const done = await finished(bed, active.jobId);
    const stopMs = done.finishedOn! - asked;
    const [, stepsRun] = /^The render was cancelled after (\d+) steps\.$/.exec(done.failedReason ?? '') ?? [];
    expect(done.failedReason).toMatch(/^The render was cancelled after \d+ steps\.$/);
    expect(done.attemptsMade).toBe(1);
    // Stopped mid-render (not after all 100 steps), at or after the step seen before the cancel.
    expect(Number(stepsRun)).toBeGreaterThanOrEqual(seen);
    expect(Number(stepsRun)).toBeLessThan(100);
    console.log(`cancel of an active job took effect in ${stopMs} ms`);
  });

  it('finishes a SIGKILLed worker\'s job on another worker and delivers it exactly once', async () => {
    bed = await createTestbed();
    const seen: RenderOutcome[] = [];
    const progress: RenderProgress[] = [];
    await Promise.all([delivery(bed, seen, progress).start(), delivery(bed, seen).start()]);
    const first = await bed.spawnWorker({ STEP_MS: '50' });
    const { jobId } = await bed.fq.enqueue('draft', sampleDraft('u1', { steps: 20, variants: 2 }));
    const fq = bed.fq;
    await waitFor(async () => ((await fq.queue.getJob(jobId))?.progress as RenderProgress).step >= 3, 10_000, 'step 3');
    const killedAt = Date.now();
    await stopChild(first, 'SIGKILL');
    await bed.spawnWorker({ STEP_MS: '50' });
    const done = await finished(bed, jobId);
    expect(await done.isCompleted()).toBe(true);
    console.log(`killed job completed on the second worker ${done.finishedOn! - killedAt} ms after the kill`);
    await waitFor(async () => seen.length >= 1, 5000, 'delivery');
    // A third listener (a restarted bot) sweeps: still one delivery.
    expect(await delivery(bed, seen).start()).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.length).toBe(1);
    const outcome = seen[0]!;
    expect(outcome.state).toBe('completed');
    if (outcome.state !== 'completed') return;
    expect(outcome.result.keys).toHaveLength(2);
    const blobs = new FileBlobStore(bed.dataDir);
    const png = await blobs.get(outcome.result.keys[0]!);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(progress.some((p) => p.previewKey !== undefined && p.total === 20)).toBe(true);
  });

  it('delivers jobs that finished while the bot was down on the start-up sweep', async () => {
    bed = await createTestbed();
    await bed.spawnWorker({ STEP_MS: '5' });
    const a = await bed.fq.enqueue('draft', sampleDraft('u1'));
    const b = await bed.fq.enqueue('draft', sampleDraft('u2', { prompt: 'bad-mask' }));
    await finished(bed, a.jobId);
    await finished(bed, b.jobId);
    const seen: RenderOutcome[] = [];
    expect(await delivery(bed, seen).start()).toBe(2);
    expect(seen.map((o) => o.state).sort()).toEqual(['completed', 'failed']);
  });

  it('hands a running job back on SIGTERM without spending an attempt', async () => {
    bed = await createTestbed();
    const worker = await bed.spawnWorker({ STEP_MS: '50', SHUTDOWN_GRACE_MS: '200' });
    const { jobId } = await bed.fq.enqueue('draft', sampleDraft('u1', { steps: 100 }));
    const fq = bed.fq;
    await waitFor(async () => ((await fq.queue.getJob(jobId))?.progress as RenderProgress).step >= 2, 10_000, 'step 2');
    await stopChild(worker, 'SIGTERM');
    expect(worker.exitCode).toBe(0);
    const job = (await bed.fq.queue.getJob(jobId))!;
    expect(['waiting', 'prioritized']).toContain(await job.getState());
    expect(job.attemptsMade).toBe(0);
  });
});
