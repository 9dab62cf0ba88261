/**
 * Model folder loading on the project's real toy ONNX files: every export variant is detected from
 * session metadata (timestep int64 / float32 / rank-0 / float16, latent_sample vs latent_parameters,
 * 9-channel inpainting, LCM timestep_cond, v-prediction), and unusable folders fail with one clear
 * sentence that names what is missing.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiffusionEngine } from '../src/diffusion/engine.js';
import { ModelFolderError } from '../src/diffusion/model-folder-error.js';
import { ensureToyModels } from '../src/toy-model/index.js';
import { makeFixtureFolders, type FixtureFolders } from './support/engine-fixtures.js';

let fixtures: FixtureFolders;

beforeAll(async () => {
  await ensureToyModels('models');
  fixtures = await makeFixtureFolders('models/toy');
});
afterAll(() => fixtures?.cleanup());

async function loadError(dir: string): Promise<ModelFolderError> {
  const error = await DiffusionEngine.load(dir, { threads: 1 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelFolderError);
  const message = (error as ModelFolderError).message;
  // One sentence: no line breaks, no stack, ends with a full stop.
  expect(message).not.toMatch(/\n/);
  expect(message).toMatch(/\.$/);
  return error as ModelFolderError;
}

describe('DiffusionEngine.load detects each export variant', () => {
  it.each([
    ['models/toy', { timestep: 'float32 [B]', vaeEncoder: 'latent_sample', unetChannels: 4, predictionType: 'epsilon', scheduler: 'ddim' }],
    ['models/toy-int64', { timestep: 'int64 [B]' }],
    ['models/toy-scalar', { timestep: 'float32 scalar', vaeEncoder: 'latent_parameters' }],
    ['models/toy-v', { predictionType: 'v_prediction', scheduler: 'euler' }],
    ['models/toy-inpaint', { unetChannels: 9 }],
    ['models/bench-unet', { unetChannels: 4 }],
    ['models/toy-external', { timestep: 'float32 [B]', unetChannels: 4 }],
  ])('%s', async (dir, expected) => {
    const engine = await DiffusionEngine.load(dir, { threads: 1 });
    const description = engine.describe();
    expect(description).toMatchObject(expected);
    expect(description.hiddenSize).toBe(64);
    expect(description.vaeScalingFactor).toBeCloseTo(0.18215, 6);
    expect(description.padId).toBe(engine.model.tokenizer.eosId);
    await engine.release();
  });

  it('an fp16 export (float16 sample, timestep, hidden states and output)', async () => {
    const engine = await DiffusionEngine.load(fixtures.fp16, { threads: 1 });
    expect(engine.describe()).toMatchObject({ fp16: true, timestep: 'float16 [B]' });
    await engine.release();
  });

  it('an LCM UNet with timestep_cond', async () => {
    const engine = await DiffusionEngine.load(fixtures.lcm, { threads: 1 });
    expect(engine.describe()).toMatchObject({ lcm: true, scheduler: 'lcm', timestep: 'int64 [B]' });
    expect(engine.model.signature.unet.timestepCond?.dim).toBe(256);
    await engine.release();
  });
});

describe('unusable folders fail with one sentence', () => {
  it('a folder that does not exist', async () => {
    expect((await loadError('models/no-such-model')).message).toBe('models/no-such-model does not exist.');
  });

  it('no unet/model.onnx', async () => {
    expect((await loadError(fixtures.noUnet)).message).toBe(`${fixtures.noUnet} has no unet/model.onnx.`);
  });

  it('no model_index.json', async () => {
    expect((await loadError(fixtures.noIndex)).message).toMatch(/has no model_index\.json, so it is not a diffusers or optimum ONNX model folder\.$/);
  });

  it('a unet/model.onnx that is not ONNX', async () => {
    const { message } = await loadError(fixtures.garbageUnet);
    expect(message).toMatch(new RegExp(`^${fixtures.garbageUnet}/unet/model\\.onnx could not be loaded as an ONNX model \\(onnxruntime says: .+\\)\\.$`));
  });

  it('a text encoder without input_ids', async () => {
    expect((await loadError(fixtures.wrongTextEncoder)).message).toBe(`${fixtures.wrongTextEncoder}/text_encoder/model.onnx has no input_ids input.`);
  });
});

describe('optimized-model cache (ORT_CACHE_DIR)', () => {
  it('writes optimized graphs once and loads them back with the same results', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'taleframe-ort-cache-'));
    try {
      const request = { prompt: 'a lighthouse at dusk', seed: 3, steps: 4, guidance: 5, width: 64, height: 64, variants: 1 };
      const first = await DiffusionEngine.load('models/toy', { threads: 1, cacheDir });
      const a = await first.render(request);
      await first.release();
      const cached = readdirSync(cacheDir).filter((f) => f.endsWith('.onnx')).sort();
      // models/toy also has a TAESD preview decoder (taesd_decoder/), cached like the rest.
      expect(cached.map((f) => f.replace(/-[0-9a-f]{16}\.onnx$/, ''))).toEqual(['taesd_decoder', 'text_encoder', 'unet', 'vae_decoder', 'vae_encoder']);
      expect(readdirSync(cacheDir).some((f) => f.endsWith('.partial'))).toBe(false);
      const second = await DiffusionEngine.load('models/toy', { threads: 1, cacheDir });
      const b = await second.render(request);
      await second.release();
      expect(readdirSync(cacheDir).filter((f) => f.endsWith('.onnx')).sort()).toEqual(cached);
      const diff = Math.max(...a.images[0].data.map((v, i) => Math.abs(v - b.images[0].data[i])));
      expect(diff).toBeLessThanOrEqual(1);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
