/**
 * The generated toy model folders: every ONNX file loads in onnxruntime-node with the contract the
 * engine codes against, the UNet equals the closed-form Gaussian denoiser (toy-reference.ts: DCT-diagonal
 * covariance, broad low band, narrow high band) for every timestep contract, prediction type and latent
 * size (including one smaller than the low band), the VAE round-trips exactly through the pipeline's scaling,
 * the tokenizer is CLIP-shaped, and a rebuild writes identical bytes.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../src/core/random.js';
import { GENERIC_WORDS, STORY_WORDS } from '../src/toy-model/word-list.js';
import {
  ensureToyModels, pooledDirection, SCALING_FACTOR, SPREAD_HI, SPREAD_MAX, SPREAD_MIN, TOY_DIM, TOY_VARIANTS, toyDenoise,
  toyMean, toySpreads, toyWeights,
} from '../src/toy-model/index.js';

const ROOT = 'models';
type Meta = { name: string; type: string; shape: Array<number | string> };
const meta = (s: ort.InferenceSession, which: 'inputMetadata' | 'outputMetadata') =>
  (s[which] as unknown as Meta[]).map(({ name, type, shape }) => ({ name, type, shape }));
const open = (variant: string, part: string) => ort.InferenceSession.create(join(ROOT, variant, part, 'model.onnx'));
const vocabOf = (variant: string) =>
  JSON.parse(readFileSync(join(ROOT, variant, 'tokenizer', 'vocab.json'), 'utf8')) as Record<string, number>;

/** Text-encoder states of a prompt made of built-in words (each is one token), batch 1, length 77. */
async function hiddenFor(variant: string, prompt: string): Promise<Float32Array> {
  const vocab = vocabOf(variant);
  const ids = new Int32Array(77).fill(vocab['<|endoftext|>']);
  ids[0] = vocab['<|startoftext|>'];
  prompt.split(' ').forEach((word, i) => (ids[i + 1] = vocab[`${word}</w>`]));
  const encoder = await open(variant, 'text_encoder');
  const out = await encoder.run({ input_ids: new ort.Tensor('int32', ids, [1, 77]) });
  return out.last_hidden_state.data as Float32Array;
}

describe('toy model folders', () => {
  it('declare the diffusers layout and the variant-specific configs', () => {
    for (const v of TOY_VARIANTS) {
      const index = JSON.parse(readFileSync(join(ROOT, v.name, 'model_index.json'), 'utf8'));
      expect(index._class_name).toMatch(/^OnnxStableDiffusion(Inpaint)?Pipeline$/);
      const sched = JSON.parse(readFileSync(join(ROOT, v.name, 'scheduler', 'scheduler_config.json'), 'utf8'));
      expect(sched).toMatchObject({ _class_name: v.scheduler, beta_schedule: 'scaled_linear', beta_start: 0.00085,
        beta_end: 0.012, num_train_timesteps: 1000, steps_offset: 1, prediction_type: v.prediction, timestep_spacing: v.timestepSpacing });
      const vae = JSON.parse(readFileSync(join(ROOT, v.name, 'vae_decoder', 'config.json'), 'utf8'));
      expect(vae.scaling_factor).toBe(0.18215);
      const tok = JSON.parse(readFileSync(join(ROOT, v.name, 'tokenizer', 'tokenizer_config.json'), 'utf8'));
      expect(tok.model_max_length).toBe(77);
      expect(JSON.stringify(tok.pad_token)).toContain('<|endoftext|>');
    }
    expect(readdirSync(join(ROOT, 'toy-scalar', 'unet'))).toContain('config.json');
  });

  it('have a CLIP-shaped tokenizer: bytes, bytes</w>, merges, then BOS and EOS', () => {
    const vocab = vocabOf('toy');
    const merges = readFileSync(join(ROOT, 'toy', 'tokenizer', 'merges.txt'), 'utf8').split('\n');
    expect(merges[0]).toBe('#version: 0.2');
    const ids = Object.values(vocab);
    const size = ids.length;
    expect(new Set(ids).size).toBe(size);
    expect(Math.max(...ids)).toBe(size - 1);
    expect(size).toBe(512 + merges.filter((m) => m && !m.startsWith('#')).length + 2);
    expect(vocab['!']).toBe(0);
    expect(vocab['!</w>']).toBe(256);
    expect(vocab['<|startoftext|>']).toBe(size - 2);
    expect(vocab['<|endoftext|>']).toBe(size - 1);
    for (const word of `${STORY_WORDS} ${GENERIC_WORDS}`.split(/\s+/).filter(Boolean)) expect(vocab[`${word}</w>`], word).toBeTypeOf('number');
  });

  it('expose the input/output contract of each export style', async () => {
    const unet = async (name: string) => meta(await open(name, 'unet'), 'inputMetadata');
    expect(await unet('toy')).toEqual([
      { name: 'sample', type: 'float32', shape: ['batch', 4, 'height', 'width'] },
      { name: 'timestep', type: 'float32', shape: ['batch'] },
      { name: 'encoder_hidden_states', type: 'float32', shape: ['batch', 'sequence', TOY_DIM] },
    ]);
    expect((await unet('toy-int64'))[1]).toEqual({ name: 'timestep', type: 'int64', shape: ['batch'] });
    expect((await unet('toy-scalar'))[1]).toEqual({ name: 'timestep', type: 'float32', shape: [] });
    expect((await unet('toy-inpaint'))[0].shape).toEqual(['batch', 9, 'height', 'width']);
    expect((await unet('bench-unet'))[1]).toEqual({ name: 'timestep', type: 'float32', shape: ['batch'] });
    expect(meta(await open('toy', 'unet'), 'outputMetadata')[0].name).toBe('out_sample');
    const text = await open('toy', 'text_encoder');
    expect(meta(text, 'inputMetadata')).toEqual([{ name: 'input_ids', type: 'int32', shape: ['batch', 'sequence'] }]);
    expect(text.outputNames).toEqual(['last_hidden_state', 'pooler_output']);
    expect((await open('toy', 'vae_encoder')).outputNames).toEqual(['latent_sample']);
    expect((await open('toy-scalar', 'vae_encoder')).outputNames).toEqual(['latent_parameters']);
    expect((await open('toy', 'vae_decoder')).inputNames).toEqual(['latent_sample']);
  });

  it('encode text with zero BOS/EOS/pad rows and a mean pooler_output', async () => {
    const vocab = vocabOf('toy');
    const encoder = await open('toy', 'text_encoder');
    const ids = Int32Array.from([vocab['<|startoftext|>'], vocab['fox</w>'], vocab['<|endoftext|>'], vocab['<|endoftext|>']]);
    const out = await encoder.run({ input_ids: new ort.Tensor('int32', ids, [1, 4]) });
    const h = out.last_hidden_state.data as Float32Array;
    expect(out.last_hidden_state.dims).toEqual([1, 4, TOY_DIM]);
    expect(h.subarray(0, TOY_DIM).every((v) => v === 0)).toBe(true);
    expect(h.subarray(2 * TOY_DIM).every((v) => v === 0)).toBe(true);
    const pooled = out.pooler_output.data as Float32Array;
    for (let d = 0; d < TOY_DIM; d++) expect(pooled[d]).toBeCloseTo(h[TOY_DIM + d] / 4, 6);
  });

  // [variant, t, inpaint, latent h x w]: 6 x 10 (width != height); 3 x 16 is smaller than the low band
  // (LO_FREQS = 5) in one axis, where the DCT rows k >= n must drop out; 16 x 16 like a 128 px render.
  const cases: Array<[string, number | bigint, boolean, [number, number]]> = [
    ['toy', 417.6, false, [6, 10]], ['toy-int64', 731n, false, [6, 10]], ['toy-scalar', 3.25, false, [6, 10]], ['toy-v', 998.5, false, [6, 10]],
    ['toy-inpaint', 260.2, true, [6, 10]], ['toy', 0, false, [6, 10]], ['toy', 999, false, [6, 10]], ['toy', 120, false, [3, 16]],
    ['toy-v', 40, false, [16, 16]], ['toy-inpaint', 700, true, [16, 12]], ['toy-external', 417.6, false, [6, 10]],
  ];
  it.each(cases)('%s UNet at t=%s equals the closed-form denoiser', async (name, t, inpaint, [h, w]) => {
    const variant = TOY_VARIANTS.find((v) => v.name === name)!;
    const vocabSize = Object.keys(vocabOf(name)).length;
    const weights = toyWeights(vocabSize);
    const [B, C] = [2, inpaint ? 9 : 4];
    const hidden = new Float32Array(B * 77 * TOY_DIM);
    hidden.set(await hiddenFor(name, 'a red fox in the snow'));
    hidden.set(await hiddenFor(name, 'lighthouse on a stormy sea'), 77 * TOY_DIM);
    const x = new SeededRandom(7).take(B * C * h * w).map((v) => v * 3);
    if (inpaint) for (let b = 0; b < B; b++) x.fill(1, (b * C + 4) * h * w, (b * C + 4) * h * w + 30).fill(0, (b * C + 4) * h * w + 30, (b * C + 5) * h * w);
    const timestep = typeof t === 'bigint' ? new ort.Tensor('int64', BigInt64Array.from([t, t]), [B])
      : variant.timestep === 'scalar' ? new ort.Tensor('float32', Float32Array.from([t]), [])
      : new ort.Tensor('float32', Float32Array.from([t, t]), [B]);
    const out = await (await open(name, 'unet')).run({
      sample: new ort.Tensor('float32', x, [B, C, h, w]), timestep,
      encoder_hidden_states: new ort.Tensor('float32', hidden, [B, 77, TOY_DIM]),
    });
    expect(out.out_sample.dims).toEqual([B, 4, h, w]);
    const got = out.out_sample.data as Float32Array;
    for (let b = 0; b < B; b++) {
      const item = x.subarray(b * C * h * w, (b + 1) * C * h * w);
      const pn = pooledDirection(hidden, 77, b);
      const ref = toyDenoise(weights, item, h, w, Number(t), pn, variant.prediction,
        inpaint ? { mask: item.subarray(4 * h * w, 5 * h * w), maskedLatents: item.subarray(5 * h * w) } : undefined);
      ref.output.forEach((v, i) => expect(Math.abs(got[b * 4 * h * w + i] - v), `item ${b} index ${i}`).toBeLessThan(2e-4 * (1 + Math.abs(v))));
    }
  });

  it('share a common component: generic prompts are broad, scene prompts narrow, "" is the unconditional', async () => {
    const weights = toyWeights(Object.keys(vocabOf('toy')).length);
    const pooled = async (prompt: string) => pooledDirection(await hiddenFor('toy', prompt), 77);
    const scenes = await Promise.all(['a red fox in a snowy forest at dawn', 'lighthouse on a stormy sea at night'].map(pooled));
    for (const negative of ['text , watermark , blurry', 'ugly , deformed']) {
      const pn = await pooled(negative);
      expect(Math.hypot(...pn)).toBeCloseTo(1, 6);
      const spreads = toySpreads(weights, pn);
      expect(spreads.lo, negative).toBeGreaterThan(0.95); // near the shared direction: as broad as ""
      expect(spreads.hi, negative).toBe(SPREAD_HI); // the high band is the same for every prompt
    }
    for (const pn of scenes) {
      const { lo, hi } = toySpreads(weights, pn);
      expect(lo).toBeGreaterThanOrEqual(SPREAD_MIN - 1e-9); // broad low band: seeds change the layout
      expect(lo).toBeLessThan(SPREAD_MAX + 0.02);
      expect(hi).toBe(SPREAD_HI); // one narrow high band for every prompt: no grain, nothing for CFG to extrapolate
    }
    // Unrelated prompts are far from orthogonal (the shared vector), yet their means differ clearly.
    const cos = scenes[0].reduce((acc, v, d) => acc + v * scenes[1][d], 0);
    expect(cos).toBeGreaterThan(0.2);
    const [mu0, mu1] = scenes.map((pn) => toyMean(weights, pn, 8, 8));
    const rms = (a: Float64Array) => Math.sqrt(a.reduce((acc, v) => acc + v * v, 0) / a.length);
    expect(rms(mu0.map((v, i) => v - mu1[i]))).toBeGreaterThan(0.3 * rms(mu0));
    // "" is all zero rows: pooled_n = 0, mean 0, the unconditional low-band spread 1.
    const empty = pooledDirection(new Float32Array(77 * TOY_DIM), 77);
    expect(empty.every((v) => v === 0)).toBe(true);
    expect(toySpreads(weights, empty)).toEqual({ lo: 1, hi: SPREAD_HI });
  });

  it('VAE: decode(encode(image) * sf / sf) gives the image back, through both encoder outputs', async () => {
    // The colour map is 3x4, so latents -> RGB -> latents only keeps the row space, but RGB -> latents
    // -> RGB is exact (M pinv(M) = I); a flat colour survives the 8x8 pooling and bilinear upsampling.
    const [H, W] = [16, 24];
    const colour = [0.7, -0.2, 0.35];
    const image = new Float32Array(3 * H * W).map((_, i) => colour[Math.floor(i / (H * W))]);
    const dec = await open('toy', 'vae_decoder');
    for (const [name, output] of [['toy', 'latent_sample'], ['toy-scalar', 'latent_parameters']] as const) {
      const enc = await open(name, 'vae_encoder');
      const latent = (await enc.run({ sample: new ort.Tensor('float32', image, [1, 3, H, W]) }))[output];
      expect(latent.dims).toEqual([1, output === 'latent_sample' ? 4 : 8, H / 8, W / 8]);
      const data = latent.data as Float32Array;
      if (output === 'latent_parameters') expect(data[4 * 6]).toBeCloseTo(2 * Math.log(0.01), 5);
      // The pipeline multiplies by scaling_factor after encoding and divides before decoding.
      const scaled = Float32Array.from(data.subarray(0, 4 * 6), (v) => v * SCALING_FACTOR);
      const back = await dec.run({ latent_sample: new ort.Tensor('float32', scaled.map((v) => v / SCALING_FACTOR), [1, 4, H / 8, W / 8]) });
      expect(back.sample.dims).toEqual([1, 3, H, W]);
      (back.sample.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(image[i], 4));
    }
  });
});

describe('ensureToyModels', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it('rebuilds byte-identical folders and skips up-to-date ones', async () => {
    const a = mkdtempSync(join(tmpdir(), 'toy-a-'));
    const b = mkdtempSync(join(tmpdir(), 'toy-b-'));
    roots.push(a, b);
    const first = await ensureToyModels(a);
    await ensureToyModels(b);
    expect(first.every((r) => r.built)).toBe(true);
    for (const r of first) {
      for (const file of r.files) {
        const bytes = readFileSync(join(a, r.name, file));
        expect(bytes.equals(readFileSync(join(b, r.name, file))), file).toBe(true);
        expect(bytes.equals(readFileSync(join(ROOT, r.name, file))), `${ROOT}/${r.name}/${file}`).toBe(true);
      }
    }
    const again = await ensureToyModels(a);
    expect(again.some((r) => r.built)).toBe(false);
    expect(statSync(join(a, 'toy', 'unet', 'model.onnx')).size).toBeGreaterThan(0);
  });

  it('rebuilds a stale folder but keeps files other parts stored in it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'toy-c-'));
    roots.push(root);
    const toyOnly = TOY_VARIANTS.filter((v) => v.name === 'toy');
    await ensureToyModels(root, toyOnly);
    writeFileSync(join(root, 'toy', 'budget.json'), '{"kept":true}');
    mkdirSync(join(root, 'toy', 'cache'));
    writeFileSync(join(root, 'toy', 'cache', 'unet.ort'), 'x');
    writeFileSync(join(root, 'toy', '.toy-build.json'), 'stale');
    const [report] = await ensureToyModels(root, toyOnly);
    expect(report.built).toBe(true);
    expect(readFileSync(join(root, 'toy', 'budget.json'), 'utf8')).toBe('{"kept":true}');
    expect(readFileSync(join(root, 'toy', 'cache', 'unet.ort'), 'utf8')).toBe('x');
    expect(readdirSync(root)).toEqual(['toy']);
  });
});
