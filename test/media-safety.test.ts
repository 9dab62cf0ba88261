// Animate keyframes and restyled frames pass through the model's safety checker like drafts: a toy
// model folder with a tiny checker that flags every picture (test/support/red-safety-checker.ts,
// threshold below any mean red) runs the real animate and stylize handlers in the worker runtime on
// real Redis. Screened jobs say how many frames were blurred and differ from unscreened ones; a job
// whose channel has the checker off (safetyCheck false) is untouched.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiffusionEngine } from '../src/diffusion/engine.js';
import { createLogger } from '../src/log.js';
import { locateFfmpeg, type FfmpegTools } from '../src/media/ffmpeg.js';
import { mediaHandlers } from '../src/media/jobs/index.js';
import { FileBlobStore, startRenderWorker, type JobResult, type RenderWorker } from '../src/queue/index.js';
import { ensureToyModels } from '../src/toy-model/index.js';
import { screenPictures } from '../workers/safety-screen.js';
import { createTestbed, REDIS_URL, waitFor, type QueueTestbed } from './queue/queue-harness.js';
import { makeTestClip, panelPng } from './support/media-fixtures.js';
import { redSafetyChecker } from './support/red-safety-checker.js';

let engine: DiffusionEngine;
let tools: FfmpegTools;
let modelDir: string;
let bed: QueueTestbed;
let worker: RenderWorker;
let blobs: FileBlobStore;

beforeAll(async () => {
  await ensureToyModels();
  modelDir = mkdtempSync(join(tmpdir(), 'taleframe-media-safety-'));
  cpSync('models/toy', modelDir, { recursive: true });
  mkdirSync(join(modelDir, 'safety_checker'));
  writeFileSync(join(modelDir, 'safety_checker', 'model.onnx'), redSafetyChecker(-1)); // flags every picture
  engine = await DiffusionEngine.load(modelDir, { threads: 1 });
  tools = locateFfmpeg({});
  bed = await createTestbed();
  blobs = new FileBlobStore(bed.dataDir);
  const log = createLogger('silent');
  worker = await startRenderWorker({
    redisUrl: REDIS_URL,
    prefix: bed.prefix,
    handlers: mediaHandlers({ engine, ffmpeg: {}, uploadLimitBytes: 10 * 1024 * 1024, steps: 4, guidance: 7.5, screen: (images) => screenPictures(engine, images, true, log) }),
    blobs,
    log,
    concurrency: 1,
    lockMs: 5000,
  });
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await bed?.cleanup();
  await engine?.release();
  if (modelDir) rmSync(modelDir, { recursive: true, force: true });
});

const common = () => ({ v: 1 as const, requestId: randomUUID(), userId: 'u1', channel: { channelId: 'c1' } });

async function result(jobId: string): Promise<JobResult> {
  return waitFor(async () => {
    const job = await bed.fq.queue.getJob(jobId);
    if (job?.failedReason) throw new Error(`job ${jobId} failed: ${job.failedReason}`);
    return job?.returnvalue ? (job.returnvalue as JobResult) : undefined;
  }, 90_000, `job ${jobId}`);
}

describe('safety checker on animations and restyled clips', () => {
  it('animate: blurs the keyframes the model redraws and says so; off where the channel allows it', async () => {
    const panelKey = await blobs.put(await panelPng('#2255aa', 'Hare', 128, 96), 'png');
    const base = { panelKeys: [panelKey], motion: 'zoom-in' as const, seconds: 2, fps: 8, format: 'gif' as const, prompt: 'a hare in a meadow', seed: 11, strength: 0.3 };
    const screened = await result((await bed.fq.enqueue('animate', { ...common(), ...base })).jobId);
    const open = await result((await bed.fq.enqueue('animate', { ...common(), ...base, safetyCheck: false })).jobId);
    expect(screened.warnings).toEqual([expect.stringMatching(/^The safety checker blurred \d+ frames the model drew\.$/)]);
    expect(Number(/blurred (\d+)/.exec(screened.warnings![0]!)![1])).toBeGreaterThanOrEqual(2);
    expect(open.warnings).toBeUndefined();
    expect(screened.keys[0]).not.toBe(open.keys[0]);
  });

  it('stylize: blurs every restyled frame and says so', async () => {
    const clipPath = join(bed.dataDir, 'src.mp4');
    await makeTestClip(tools, clipPath, { seconds: 1, fps: 8, width: 96, height: 64, audio: false });
    const sourceKey = await blobs.put(await readFile(clipPath), 'mp4');
    const screened = await result((await bed.fq.enqueue('stylize', { ...common(), sourceKey, style: 'clay puppets', strength: 0.4, seed: 5 })).jobId);
    const open = await result((await bed.fq.enqueue('stylize', { ...common(), sourceKey, style: 'clay puppets', strength: 0.4, seed: 5, safetyCheck: false })).jobId);
    expect(screened.warnings).toEqual([expect.stringMatching(/^The safety checker blurred \d+ frames the model drew\.$/)]);
    expect(open.warnings).toBeUndefined();
    expect(screened.keys[0]).not.toBe(open.keys[0]);
  });
});
