/**
 * TAESD step previews (REFERENCE §10): models/toy ships a tiny TAESD-style decoder in taesd_decoder/,
 * which equals the toy VAE decoder on scaled latents; the engine decodes previews with it (one call per
 * preview, all variants at once) and they look like the final picture, at the same small size as the
 * linear previews; folders without one keep the linear approximation; an engine option names another
 * folder, and a named folder that is missing is one sentence.
 */
import { cpSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbImage } from '../src/core/image.js';
import { SeededRandom } from '../src/core/random.js';
import { DiffusionEngine } from '../src/diffusion/engine.js';
import { ModelFolderError } from '../src/diffusion/model-folder-error.js';
import type { RenderRequest } from '../src/diffusion/render-types.js';
import { ensureToyModels, SCALING_FACTOR } from '../src/toy-model/index.js';

const request: RenderRequest = { prompt: 'a red fox in the snow', seed: 5, steps: 6, guidance: 7.5, width: 96, height: 64, variants: 4 };
let tmp: string;

beforeAll(async () => {
  await ensureToyModels('models');
  tmp = mkdtempSync(join(tmpdir(), 'taleframe-taesd-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Renders with previews every 2 steps; returns the result, the previews and the engine's decoder calls. */
async function renderWithPreviews(dir: string, options: { previewDecoder?: string } = {}) {
  const engine = await DiffusionEngine.load(dir, { threads: 1, ...options });
  const previews: RgbImage[] = [];
  try {
    const result = await engine.render({ ...request, previewEvery: 2, onStep: (p) => p.preview && previews.push(p.preview) });
    return { result, previews, decoder: engine.model.previewDecoder };
  } finally {
    await engine.release();
  }
}

/** The final image of variant `v` box-averaged to latent resolution (8 x 8 pixels per latent pixel). */
function shrunk(image: RgbImage): Float64Array {
  const [w, h] = [image.width / 8, image.height / 8];
  const out = new Float64Array(w * h * 3);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      for (let k = 0; k < 3; k++) out[(Math.floor(y / 8) * w + Math.floor(x / 8)) * 3 + k] += image.data[(y * image.width + x) * 3 + k] / 64;
    }
  }
  return out;
}

/** Mean |preview tile - shrunk final image| over the 4 variants (2 x 2 grid of 12 x 8 tiles). */
function distanceToFinal(preview: RgbImage, finals: RgbImage[]): number {
  let sum = 0;
  finals.forEach((image, v) => {
    const target = shrunk(image);
    const [ox, oy] = [(v % 2) * 12, Math.floor(v / 2) * 8];
    for (let y = 0; y < 8; y++) for (let x = 0; x < 12; x++) for (let k = 0; k < 3; k++) {
      sum += Math.abs(preview.data[((oy + y) * preview.width + ox + x) * 3 + k] - target[(y * 12 + x) * 3 + k]);
    }
  });
  return sum / (4 * 8 * 12 * 3);
}

describe('TAESD previews', () => {
  it('the toy TAESD decoder equals the toy VAE decoder on scaled latents', async () => {
    const taesd = await ort.InferenceSession.create('models/toy/taesd_decoder/model.onnx');
    const vae = await ort.InferenceSession.create('models/toy/vae_decoder/model.onnx');
    const x0 = new SeededRandom(3).take(2 * 4 * 5 * 7);
    const a = (await taesd.run({ latent_sample: new ort.Tensor('float32', x0, [2, 4, 5, 7]) })).sample;
    const b = (await vae.run({ latent_sample: new ort.Tensor('float32', x0.map((v) => v / SCALING_FACTOR), [2, 4, 5, 7]) })).sample;
    expect(a.dims).toEqual([2, 3, 40, 56]);
    const [da, db] = [a.data as Float32Array, b.data as Float32Array];
    expect(Math.max(...da.map((v, i) => Math.abs(v - db[i])))).toBeLessThan(1e-4);
    await taesd.release();
    await vae.release();
  });

  it('decode every preview of models/toy in one call each, small and close to the final picture', async () => {
    const { result, previews, decoder } = await renderWithPreviews('models/toy');
    expect(decoder).toBeDefined();
    expect(previews).toHaveLength(3); // steps 2, 4, 6
    expect(decoder!.calls).toBe(3);
    for (const p of previews) {
      expect([p.width, p.height, p.data.length]).toEqual([24, 16, 24 * 16 * 3]);
      expect(new Set(p.data).size).toBeGreaterThan(10);
    }
    // The last x0 prediction is the final latent: its TAESD preview is the final picture, shrunk.
    expect(distanceToFinal(previews[2], result.images)).toBeLessThan(2);
  });

  it('are closer to the final picture than the linear previews of a folder without TAESD', async () => {
    const plain = join(tmp, 'plain');
    cpSync('models/toy', plain, { recursive: true });
    rmSync(join(plain, 'taesd_decoder'), { recursive: true });
    const linear = await renderWithPreviews(plain);
    expect(linear.decoder).toBeUndefined();
    const taesd = await renderWithPreviews('models/toy');
    // Same weights, same seeds: the same pictures; only the previews differ.
    expect(Buffer.from(linear.result.images[0].data).equals(Buffer.from(taesd.result.images[0].data))).toBe(true);
    expect(linear.previews).toHaveLength(3);
    expect([linear.previews[2].width, linear.previews[2].height]).toEqual([24, 16]);
    expect(Buffer.from(linear.previews[2].data).equals(Buffer.from(taesd.previews[2].data))).toBe(false);
    expect(distanceToFinal(taesd.previews[2], taesd.result.images)).toBeLessThan(distanceToFinal(linear.previews[2], linear.result.images));
  });

  it('an engine option names another folder; a named folder that is missing is one sentence', async () => {
    const renamed = join(tmp, 'renamed');
    cpSync('models/toy', renamed, { recursive: true });
    renameSync(join(renamed, 'taesd_decoder'), join(renamed, 'my_taesd'));
    expect((await renderWithPreviews(renamed)).decoder).toBeUndefined();
    const named = await renderWithPreviews(renamed, { previewDecoder: 'my_taesd' });
    expect(named.decoder?.calls).toBe(3);
    const error = await DiffusionEngine.load('models/toy', { threads: 1, previewDecoder: 'nope' }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFolderError);
    expect((error as Error).message).toBe('models/toy has no nope/model.onnx for previews.');
  });
});
