// The media job handlers inside the real worker runtime on real Redis (a random queue prefix per test):
// animate, stylize and storyboard jobs go through the fair queue, report progress, store their files
// in the blob store and return the keys; a bad clip fails at once without retries; a running stylize
// job stops when the user cancels it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiffusionEngine } from '../src/diffusion/engine.js';
import { createLogger } from '../src/log.js';
import { locateFfmpeg, probeMedia, type FfmpegTools } from '../src/media/ffmpeg.js';
import { mediaHandlers } from '../src/media/jobs/index.js';
import { cancelRender, FileBlobStore, startRenderWorker, type JobResult, type RenderProgress, type RenderWorker } from '../src/queue/index.js';
import { ensureToyModels } from '../src/toy-model/index.js';
import { createTestbed, REDIS_URL, waitFor, type QueueTestbed } from './queue/queue-harness.js';
import { makeTestClip, panelPng } from './support/media-fixtures.js';

let engine: DiffusionEngine;
let tools: FfmpegTools;
let scratch: string;
let bed: QueueTestbed | null = null;
let worker: RenderWorker | null = null;
let blobs: FileBlobStore;

beforeAll(async () => {
  await ensureToyModels();
  engine = await DiffusionEngine.load('models/toy', { threads: 1 });
  tools = locateFfmpeg({});
  scratch = await mkdtemp(join(tmpdir(), 'taleframe-media-jobs-'));
});
afterAll(async () => {
  await engine?.release();
  await rm(scratch, { recursive: true, force: true });
});
afterEach(async () => {
  await worker?.close();
  worker = null;
  await bed?.cleanup();
  bed = null;
});

async function start(): Promise<QueueTestbed> {
  bed = await createTestbed();
  blobs = new FileBlobStore(bed.dataDir);
  worker = await startRenderWorker({
    redisUrl: REDIS_URL,
    prefix: bed.prefix,
    handlers: mediaHandlers({ engine, ffmpeg: {}, uploadLimitBytes: 10 * 1024 * 1024, steps: 20, guidance: 7.5 }),
    blobs,
    log: createLogger('silent'),
    concurrency: 1,
    lockMs: 5000,
    cancelPollMs: 50,
  });
  return bed;
}

const common = (userId: string) => ({ v: 1 as const, requestId: randomUUID(), userId, channel: { channelId: 'c1' } });

async function finished(b: QueueTestbed, jobId: string, timeoutMs = 45_000) {
  return waitFor(async () => {
    const job = await b.fq.queue.getJob(jobId);
    return job?.finishedOn ? job : undefined;
  }, timeoutMs, `job ${jobId} to finish`);
}

describe('media jobs in the worker runtime', () => {
  it('animate: stores an MP4 and its GIF preview and reports progress to the end', async () => {
    const b = await start();
    const panelKey = await blobs.put(await panelPng('#aa5522', 'Fox', 128, 96), 'png');
    const { jobId } = await b.fq.enqueue('animate', { ...common('u1'), panelKeys: [panelKey], motion: 'pan-left', seconds: 2, fps: 8, format: 'mp4' });
    const job = await finished(b, jobId);
    expect(job.failedReason ?? '').toBe('');
    const result = job.returnvalue as JobResult;
    expect(result.keys).toHaveLength(2);
    expect(result.keys[0]).toMatch(/\.mp4$/);
    expect(result.keys[1]).toMatch(/\.gif$/);
    const path = join(scratch, 'job.mp4');
    await writeFile(path, await blobs.get(result.keys[0]!));
    expect((await probeMedia(tools, path)).video).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', width: 128, height: 96, fps: 8 });
    const progress = job.progress as RenderProgress;
    expect(progress.step).toBe(progress.total);
  });

  it('animate with the panel\'s prompt and seed redraws keyframes with the engine', async () => {
    const b = await start();
    const panelKey = await blobs.put(await panelPng('#2255aa', 'Hare', 128, 96), 'png');
    const base = { panelKeys: [panelKey], motion: 'zoom-in' as const, seconds: 2, fps: 8, format: 'gif' as const };
    const plain = await finished(b, (await b.fq.enqueue('animate', { ...common('u1'), ...base })).jobId);
    const detailed = await finished(b, (await b.fq.enqueue('animate', { ...common('u1'), ...base, prompt: 'a hare in a meadow', seed: 11, strength: 0.3 })).jobId);
    expect(detailed.failedReason ?? '').toBe('');
    const [plainKey] = (plain.returnvalue as JobResult).keys;
    const [detailedKey] = (detailed.returnvalue as JobResult).keys;
    // The camera path is the same; only the img2img pass can make the frames differ.
    expect(detailedKey).not.toBe(plainKey);
  });

  it('animate with several panels makes one crossfading clip; storyboard exports all three forms', async () => {
    const b = await start();
    const keys = [await blobs.put(await panelPng('#cc2222', '1', 128, 96), 'png'), await blobs.put(await panelPng('#22cc22', '2', 128, 96), 'png')];
    const multi = await b.fq.enqueue('animate', { ...common('u1'), panelKeys: keys, motion: 'crossfade', seconds: 3, fps: 8, format: 'mp4' });
    const panels = keys.map((blobKey, i) => ({ sceneId: `s${i}`, blobKey, caption: `Scene ${i + 1} <b>bold</b>` }));
    const exports = await Promise.all(
      (['sheet', 'slideshow', 'html'] as const).map((format) =>
        b.fq.enqueue('storyboard', { ...common('u2'), storyId: 'story1', title: 'Fox & Grapes', format, panels }),
      ),
    );
    const multiJob = await finished(b, multi.jobId);
    expect(multiJob.failedReason ?? '').toBe('');
    const multiPath = join(scratch, 'multi.mp4');
    await writeFile(multiPath, await blobs.get((multiJob.returnvalue as JobResult).keys[0]!));
    expect((await probeMedia(tools, multiPath)).durationSec).toBeCloseTo(3, 0);

    const results = await Promise.all(exports.map(async ({ jobId }) => (await finished(b, jobId)).returnvalue as JobResult));
    expect(results.map((r) => r.keys[0]!.split('.')[1])).toEqual(['png', 'mp4', 'html']);
    const html = (await blobs.get(results[2]!.keys[0]!)).toString('utf8');
    expect(html).toContain('Scene 1 &lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('<title>Fox &amp; Grapes</title>');
  });

  it('stylize: keeps the audio; a still picture fails at once with one sentence and no retry', async () => {
    const b = await start();
    const clipPath = join(scratch, 'src.mp4');
    await makeTestClip(tools, clipPath, { seconds: 1, fps: 8, width: 96, height: 64, audio: true });
    const sourceKey = await blobs.put(await readFile(clipPath), 'mp4');
    const good = await b.fq.enqueue('stylize', { ...common('u1'), sourceKey, style: 'clay puppets', strength: 0.4, seed: 5 });
    const stillKey = await blobs.put(await panelPng('#3366aa'), 'png');
    const bad = await b.fq.enqueue('stylize', { ...common('u2'), sourceKey: stillKey, style: 'clay', seed: 5 });

    const goodJob = await finished(b, good.jobId);
    expect(goodJob.failedReason ?? '').toBe('');
    const out = join(scratch, 'styled.mp4');
    await writeFile(out, await blobs.get((goodJob.returnvalue as JobResult).keys[0]!));
    const probe = await probeMedia(tools, out);
    expect(probe.hasAudio).toBe(true);
    expect(probe.video).toMatchObject({ codec: 'h264', width: 96, height: 64 });

    const badJob = await finished(b, bad.jobId);
    expect(badJob.failedReason).toBe('That file is not a video (it reads as png_pipe); send an MP4, WebM or GIF.');
    expect(badJob.attemptsMade).toBe(1);
  });

  it('stylize: stops a running job when the user cancels it', async () => {
    const b = await start();
    const clipPath = join(scratch, 'long.mp4');
    // 10 s at the default 8 fps is 80 img2img frames: long enough to cancel in the middle.
    await makeTestClip(tools, clipPath, { seconds: 10, fps: 8, width: 256, height: 192, audio: false });
    const sourceKey = await blobs.put(await readFile(clipPath), 'mp4');
    const { jobId } = await b.fq.enqueue('stylize', { ...common('u1'), sourceKey, style: 'ink wash', seed: 9 });
    await waitFor(async () => (((await b.fq.queue.getJob(jobId))?.progress as RenderProgress | undefined)?.step ?? 0) >= 3, 30_000, 'a few frames');
    expect(await cancelRender(b.fq, jobId)).toBe('stopping');
    const job = await finished(b, jobId);
    expect(job.failedReason).toMatch(/^The render was cancelled after \d+ steps\.$/);
    expect((job.progress as RenderProgress).step).toBeLessThan((job.progress as RenderProgress).total);
  });
});
