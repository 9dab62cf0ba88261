/**
 * UNets whose weights live in an external data file (diffusers: unet/weights.pb, optimum:
 * unet/model.onnx_data; REFERENCE §1): models/toy-external holds the toy UNet split that way, so it
 * must render exactly models/toy's pixels; the optimized-model cache (REFERENCE §9) keeps working with
 * external weights; and a folder whose weights file is missing or cut short fails with one sentence
 * naming that file, before onnxruntime's own cryptic message.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelBuildId } from '../src/budget/model-build.js';
import { DiffusionEngine } from '../src/diffusion/engine.js';
import { ModelFolderError } from '../src/diffusion/model-folder-error.js';
import { readModelFolder } from '../src/diffusion/model-folder.js';
import type { RenderRequest } from '../src/diffusion/render-types.js';
import { readExternalDataRefs } from '../src/onnx/index.js';
import { ensureToyModels } from '../src/toy-model/index.js';

const request: RenderRequest = { prompt: 'a lighthouse at dusk', seed: 11, steps: 5, guidance: 7.5, width: 64, height: 48, variants: 2 };
let tmp: string;

beforeAll(async () => {
  await ensureToyModels('models');
  tmp = mkdtempSync(join(tmpdir(), 'taleframe-external-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function renderWith(dir: string, cacheDir?: string) {
  const engine = await DiffusionEngine.load(dir, { threads: 1, cacheDir });
  try {
    return await engine.render(request);
  } finally {
    await engine.release();
  }
}

/** A copy of models/toy-external in the temp folder. */
function copyOfExternal(name: string): string {
  const dir = join(tmp, name);
  cpSync('models/toy-external', dir, { recursive: true });
  return dir;
}

async function loadError(dir: string): Promise<string> {
  const error = await DiffusionEngine.load(dir, { threads: 1 }).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ModelFolderError);
  const { message } = error as ModelFolderError;
  expect(message).not.toMatch(/\n/);
  return message;
}

describe('models/toy-external (unet/weights.pb)', () => {
  it('really keeps the UNet weights outside model.onnx', async () => {
    const refs = await readExternalDataRefs('models/toy-external/unet/model.onnx');
    expect(refs.length).toBeGreaterThan(0);
    expect(new Set(refs.map((r) => r.location))).toEqual(new Set(['weights.pb']));
    expect(refs.every((r) => r.offset % 4096 === 0)).toBe(true);
    const folder = await readModelFolder('models/toy-external');
    expect(folder.components.unet.externalData).toBe(join('models/toy-external', 'unet', 'weights.pb'));
    expect((await readModelFolder('models/toy')).components.unet.externalFiles).toEqual([]);
  });

  it('renders the same pixels as models/toy (same weights)', async () => {
    const [inline, external] = [await renderWith('models/toy'), await renderWith('models/toy-external')];
    expect(external.images).toHaveLength(2);
    external.images.forEach((image, i) => expect(Buffer.from(image.data).equals(Buffer.from(inline.images[i].data))).toBe(true));
  });

  it('works through the optimized-model cache, first load and cached load alike', async () => {
    const cacheDir = join(tmp, 'cache');
    const reference = await renderWith('models/toy-external');
    const first = await renderWith('models/toy-external', cacheDir);
    const files = readdirSync(cacheDir).sort();
    expect(files.filter((f) => f.endsWith('.onnx')).map((f) => f.replace(/-[0-9a-f]{16}\.onnx$/, ''))).toEqual(['text_encoder', 'unet', 'vae_decoder', 'vae_encoder']);
    expect(files.some((f) => f.endsWith('.partial'))).toBe(false);
    // The optimised UNet keeps its big initializers external too (model-sessions.ts), next to it.
    expect(files.filter((f) => f.endsWith('.data')).map((f) => f.slice(0, 5))).toEqual(['unet-']);
    const second = await renderWith('models/toy-external', cacheDir);
    expect(readdirSync(cacheDir).sort()).toEqual(files);
    for (const result of [first, second]) {
      result.images.forEach((image, i) => {
        const diff = Math.max(...image.data.map((v, k) => Math.abs(v - reference.images[i].data[k])));
        expect(diff).toBeLessThanOrEqual(1);
      });
    }
  });

  it('new weights under the same model.onnx get a new cache entry', async () => {
    const cacheDir = join(tmp, 'cache-key');
    const dir = copyOfExternal('rekey');
    await renderWith(dir, cacheDir);
    const before = readdirSync(cacheDir).filter((f) => f.startsWith('unet-') && f.endsWith('.onnx'));
    cpSync('models/toy-external/unet/weights.pb', join(dir, 'unet', 'weights.pb')); // same bytes, new mtime
    const folder = await readModelFolder(dir);
    expect(folder.components.unet.externalFiles).toHaveLength(1);
    await renderWith(dir, cacheDir);
    const after = readdirSync(cacheDir).filter((f) => f.startsWith('unet-') && f.endsWith('.onnx'));
    expect(after).toHaveLength(before.length + 1);
  });

  it('the calibration build id covers weights.pb (new weights, new id)', async () => {
    const dir = copyOfExternal('build-id');
    const before = await modelBuildId(dir);
    const path = join(dir, 'unet', 'weights.pb');
    const bytes = readFileSync(path);
    bytes[0] ^= 1;
    writeFileSync(path, bytes);
    expect(await modelBuildId(dir)).not.toBe(before);
  });

  it('a missing weights file is one sentence naming it', async () => {
    const dir = copyOfExternal('missing');
    rmSync(join(dir, 'unet', 'weights.pb'));
    expect(await loadError(dir)).toBe(`${dir}/unet/model.onnx keeps its weights in weights.pb, but ${dir}/unet/weights.pb is missing.`);
  });

  it('a weights file cut short is one sentence naming it', async () => {
    const dir = copyOfExternal('short');
    truncateSync(join(dir, 'unet', 'weights.pb'), 1000);
    expect(await loadError(dir)).toMatch(new RegExp(`^${dir}/unet/weights\\.pb is 1000 bytes but ${dir}/unet/model\\.onnx reads up to byte \\d+ of it \\(an unfinished download\\?\\)\\.$`));
  });
});
