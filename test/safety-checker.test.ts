// The safety checker through the real worker: a tiny diffusers-contract safety checker (clip_input,
// images -> out_images, has_nsfw_concepts) built here with the project's ONNX builder flags pictures
// whose mean red exceeds a threshold. A copy of the toy model folder with it is served by a real
// render-worker process; the same draft rendered with and without the check shows the flagged
// pictures blurred (detail gone) and the others byte-identical, with a note on the draft.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbImage } from '../src/core/image.js';
import { DiffusionEngine } from '../src/diffusion/engine.js';
import { blurPicture, blurredNote } from '../src/diffusion/safety-checker.js';
import { createLogger } from '../src/log.js';
import { FileBlobStore, type HandlerContext, type JobResult } from '../src/queue/index.js';
import { draftPayloadSchema, type PayloadInput } from '../src/queue/job-payloads.js';
import { ensureToyModels } from '../src/toy-model/index.js';
import { loadEngineDefaults, engineHandlers } from '../workers/render-handlers.js';
import { loadConfig } from '../src/config.js';
import { createTestbed, REDIS_URL, stopChild, waitFor, type QueueTestbed } from './queue/queue-harness.js';
import { redSafetyChecker } from './support/red-safety-checker.js';

const renderWorker = fileURLToPath(new URL('../workers/render-worker.ts', import.meta.url));

const meanRed = (image: RgbImage) => {
  let sum = 0;
  for (let i = 0; i < image.data.length; i += 3) sum += image.data[i]!;
  return sum / (image.data.length / 3) / 255;
};

/** Pixel variance around each channel's mean: a blur pulls every pixel towards its surroundings. */
const variance = (image: RgbImage) => {
  let total = 0;
  for (let c = 0; c < 3; c++) {
    let sum = 0;
    let squares = 0;
    for (let i = c; i < image.data.length; i += 3) (sum += image.data[i]!, squares += image.data[i]! ** 2);
    const n = image.data.length / 3;
    total += squares / n - (sum / n) ** 2;
  }
  return total / 3;
};

async function decode(png: Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

const draft = (requestId: string, safetyCheck: boolean): PayloadInput<'draft'> => ({
  v: 1, requestId, userId: 'u1', channel: { channelId: 'c1' }, draftId: requestId,
  prompt: 'a red fox under a vine at dusk', seed: 11, steps: 4, width: 64, height: 64, variants: 4, safetyCheck,
});

let bed: QueueTestbed;
let modelDir: string;
let worker: ChildProcess | undefined;
let threshold: number;

beforeAll(async () => {
  await ensureToyModels('models');
  bed = await createTestbed();
  // The threshold: the middle of the widest gap between the four pictures' mean red, rendered once
  // in this process through the same handler the worker runs, so some are flagged and some are not.
  const engine = await DiffusionEngine.load('models/toy', { threads: 1 });
  try {
    const defaults = await loadEngineDefaults(loadConfig({ MODEL_DIR: 'models/toy', RENDER_STEPS: '4' }));
    const ctx: HandlerContext<'draft'> = {
      jobId: 'probe', attempt: 1, payload: draftPayloadSchema.parse(draft('probe', false)), signal: new AbortController().signal,
      blobs: new FileBlobStore(bed.dataDir), log: createLogger('silent', 'test'), previewEvery: 0, reportStep: () => {},
    };
    const probe = await engineHandlers(engine, defaults).draft!(ctx);
    const reds = (await Promise.all(probe.keys.map(async (k) => meanRed(await decode(await ctx.blobs.get(k)))))).sort((a, b) => a - b);
    let gap = 0;
    for (let i = 1; i < reds.length; i++) if (reds[i]! - reds[i - 1]! > gap) (gap = reds[i]! - reds[i - 1]!, threshold = (reds[i]! + reds[i - 1]!) / 2);
    expect(gap, `mean reds ${reds}`).toBeGreaterThan(0.002);
  } finally {
    await engine.release();
  }
  modelDir = mkdtempSync(join(tmpdir(), 'taleframe-safety-'));
  cpSync('models/toy', modelDir, { recursive: true });
  mkdirSync(join(modelDir, 'safety_checker'));
  writeFileSync(join(modelDir, 'safety_checker', 'model.onnx'), redSafetyChecker(threshold));
  worker = await new Promise<ChildProcess>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', renderWorker], {
      env: {
        ...process.env, REDIS_URL, QUEUE_PREFIX: bed.prefix, DATA_DIR: bed.dataDir, MODEL_DIR: modelDir, RENDER_STEPS: '4',
        WORKER_CONCURRENCY: '1', ORT_THREADS: '1', LOG_LEVEL: 'info', PREVIEW_EVERY: '100',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/ready/.test(out)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited early with ${code}: ${out.slice(-500)}`)));
  });
}, 180_000);

afterAll(async () => {
  if (worker) await stopChild(worker);
  await bed?.cleanup();
  if (modelDir) rmSync(modelDir, { recursive: true, force: true });
});

async function finished(id: string): Promise<JobResult> {
  return waitFor(async () => {
    const job = await bed.fq.queue.getJob(id);
    if (job?.failedReason) throw new Error(`job ${id} failed: ${job.failedReason}`);
    return job?.returnvalue ? (job.returnvalue as JobResult) : undefined;
  }, 120_000, `job ${id}`);
}

describe('safety checker in the worker', () => {
  it('blurs the pictures it flags and leaves the others untouched', async () => {
    await bed.fq.enqueue('draft', draft('unchecked', false));
    await bed.fq.enqueue('draft', draft('checked', true));
    const [plain, checked] = [await finished('unchecked'), await finished('checked')];
    const blobs = new FileBlobStore(bed.dataDir);
    const plainImages = await Promise.all(plain.keys.map(async (k) => decode(await blobs.get(k))));
    const checkedImages = await Promise.all(checked.keys.map(async (k) => decode(await blobs.get(k))));
    const flagged = plainImages.map((image) => meanRed(image) > threshold);
    expect(flagged.some(Boolean) && !flagged.every(Boolean), `flags ${flagged}`).toBe(true);
    for (const [i, isFlagged] of flagged.entries()) {
      if (isFlagged) {
        expect(checked.keys[i], `picture ${i + 1} was flagged`).not.toBe(plain.keys[i]);
        // Exactly the unchecked picture, blurred: less variance, the same broad colour.
        expect(Buffer.from(checkedImages[i]!.data).equals(Buffer.from((await blurPicture(plainImages[i]!)).data))).toBe(true);
        console.log(`picture ${i + 1}: variance ${variance(plainImages[i]!).toFixed(1)} -> ${variance(checkedImages[i]!).toFixed(1)} blurred`);
        expect(variance(checkedImages[i]!)).toBeLessThan(variance(plainImages[i]!) * 0.8);
        expect(Math.abs(meanRed(checkedImages[i]!) - meanRed(plainImages[i]!))).toBeLessThan(0.05);
      } else {
        expect(checked.keys[i], `picture ${i + 1} was not flagged`).toBe(plain.keys[i]); // content-addressed: same bytes
      }
    }
    const count = flagged.filter(Boolean).length;
    expect(checked.warnings).toContain(blurredNote(count));
    expect(plain.warnings ?? []).not.toContain(blurredNote(count));
  }, 180_000);

  it('refuses a safety_checker folder that does not follow the contract, in one sentence', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'taleframe-safety-broken-'));
    try {
      cpSync('models/toy', broken, { recursive: true });
      mkdirSync(join(broken, 'safety_checker'));
      cpSync(join('models/toy', 'vae_decoder', 'model.onnx'), join(broken, 'safety_checker', 'model.onnx'));
      await expect(DiffusionEngine.load(broken, { threads: 1 })).rejects.toThrow(/safety_checker\/model\.onnx is not a diffusers safety checker/);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});
