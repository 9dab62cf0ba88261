// The fairness and kill scenarios again, with the real draft handler rendering the toy ONNX model
// (models/toy, built by the test global setup) in real worker processes.
import { afterEach, describe, expect, it } from 'vitest';
import { FileBlobStore, sampleDraft, type RenderProgress } from '../src/queue/index.js';
import { createTestbed, stopChild, waitFor, type QueueTestbed } from './queue/queue-harness.js';

let bed: QueueTestbed | null = null;
afterEach(async () => {
  await bed?.cleanup();
  bed = null;
});

const engineEnv = { TEST_ENGINE: '1', MODEL_DIR: 'models/toy', RENDER_STEPS: '8', PREVIEW_EVERY: '2' };

describe('render queue with the toy engine', () => {
  it('serves A1, B1, A2, A3 and writes real PNGs and previews', async () => {
    bed = await createTestbed();
    const ids: Record<string, string> = {};
    for (const name of ['A1', 'A2', 'A3']) ids[name] = (await bed.fq.enqueue('draft', sampleDraft('userA', { steps: 6 }))).jobId;
    ids.B1 = (await bed.fq.enqueue('draft', sampleDraft('userB', { steps: 6 }))).jobId;
    await bed.spawnWorker(engineEnv);
    const fq = bed.fq;
    const jobs = await waitFor(async () => {
      const done = await fq.queue.getJobs(['completed', 'failed']);
      return done.length === 4 ? done : undefined;
    }, 45_000, 'four finished jobs');
    expect(jobs.map((j) => j.failedReason ?? '')).toEqual(['', '', '', '']);
    const byId = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
    expect(jobs.sort((a, b) => a.processedOn! - b.processedOn!).map((j) => byId[j.id!])).toEqual(['A1', 'B1', 'A2', 'A3']);
    const blobs = new FileBlobStore(bed.dataDir);
    const result = jobs[0]!.returnvalue as { keys: string[]; steps: number };
    expect(result.steps).toBe(6);
    expect((await blobs.get(result.keys[0]!)).subarray(1, 4).toString()).toBe('PNG');
    const progress = jobs[0]!.progress as RenderProgress;
    expect(progress).toMatchObject({ step: 6, total: 6 });
    expect(await blobs.has(progress.previewKey!)).toBe(true);
  });

  it('finishes the job of a SIGKILLed engine worker on another one', async () => {
    bed = await createTestbed();
    const first = await bed.spawnWorker(engineEnv);
    const { jobId } = await bed.fq.enqueue('draft', sampleDraft('u1', { steps: 200 }));
    const fq = bed.fq;
    await waitFor(async () => ((await fq.queue.getJob(jobId))?.progress as RenderProgress).step >= 2, 20_000, 'step 2');
    await stopChild(first, 'SIGKILL');
    await bed.spawnWorker(engineEnv);
    const done = await waitFor(async () => {
      const job = await fq.queue.getJob(jobId);
      return job?.finishedOn ? job : undefined;
    }, 60_000, 'the job to finish');
    expect(done.failedReason ?? '').toBe('');
    expect((done.returnvalue as { steps: number }).steps).toBe(200);
  });
});
