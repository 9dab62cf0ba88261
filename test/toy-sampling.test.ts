/**
 * End-to-end sanity of the toy model as a diffusion model: a plain DDIM loop (eta 0, "leading" spacing,
 * DDIM eq. 12) with classifier-free guidance over the real ONNX files lands near each prompt's mean
 * picture, different prompts decode to clearly different pictures, and guidance 7.5 stays in range,
 * also with a generic negative prompt ("text, watermark, blurry"), which then pushes the picture away
 * from the negative's mean without leaving the colour range.
 * Writes PNGs to /tmp/toy-preview/ for a human to look at. Also checks the bench UNet is the toy
 * denoiser plus a small residual.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../src/core/random.js';
import { alphasCumprod, pooledDirection, SCALING_FACTOR, TOY_DIM, toyMean, toySpread, toyWeights } from '../src/toy-model/index.js';
import { readFileSync } from 'node:fs';

const DIR = 'models/toy';
const PREVIEW = '/tmp/toy-preview';
const vocab = JSON.parse(readFileSync(join(DIR, 'tokenizer', 'vocab.json'), 'utf8')) as Record<string, number>;
const weights = toyWeights(Object.keys(vocab).length);
const session = (part: string, dir = DIR) => ort.InferenceSession.create(join(dir, part, 'model.onnx'));

/** Token ids for a prompt of built-in words (one token each): BOS, words, EOS, EOS padding to 77. */
function ids(prompt: string): Int32Array {
  const out = new Int32Array(77).fill(vocab['<|endoftext|>']);
  out[0] = vocab['<|startoftext|>'];
  prompt.replace(/,/g, ' ,').split(' ').filter(Boolean).forEach((word, i) => (out[i + 1] = vocab[`${word}</w>`] ?? vocab[word]));
  return out;
}

async function encode(prompts: string[]): Promise<Float32Array> {
  const te = await session('text_encoder');
  const all = new Int32Array(prompts.length * 77);
  prompts.forEach((p, i) => all.set(ids(p), i * 77));
  return (await te.run({ input_ids: new ort.Tensor('int32', all, [prompts.length, 77]) })).last_hidden_state.data as Float32Array;
}

/** DDIM (Song et al. 2021, eq. 12, eta = 0) with CFG; returns final latents [N,4,h,w]. */
async function ddim(prompts: string[], steps: number, guidance: number, h: number, w: number, seed: number, negative = ''): Promise<Float32Array> {
  const unet = await session('unet');
  const ac = alphasCumprod();
  const n = prompts.length;
  const size = 4 * h * w;
  const text = await encode([...prompts.map(() => negative), ...prompts]); // [uncond (or negative)..., cond...]
  let x = new SeededRandom(seed).take(n * size);
  const ratio = Math.floor(1000 / steps);
  for (let i = 0; i < steps; i++) {
    const t = (steps - 1 - i) * ratio + 1; // "leading" spacing with steps_offset 1
    const both = new Float32Array(2 * n * size);
    both.set(x);
    both.set(x, n * size);
    const out = await unet.run({
      sample: new ort.Tensor('float32', both, [2 * n, 4, h, w]),
      timestep: new ort.Tensor('float32', new Float32Array(2 * n).fill(t), [2 * n]),
      encoder_hidden_states: new ort.Tensor('float32', text, [2 * n, 77, TOY_DIM]),
    });
    const e = out.out_sample.data as Float32Array;
    const a = ac[t];
    const aPrev = t - ratio >= 0 ? ac[t - ratio] : ac[0]; // set_alpha_to_one false
    x = x.map((xt, k) => {
      const eps = e[k] + guidance * (e[n * size + k] - e[k]);
      const x0 = (xt - Math.sqrt(1 - a) * eps) / Math.sqrt(a);
      return Math.sqrt(aPrev) * x0 + Math.sqrt(1 - aPrev) * eps;
    });
  }
  return x;
}

/** Decodes latents [N,4,h,w] to 8-bit RGB images (clip(x/2 + 0.5)) and writes them as PNGs. */
async function decodeToPng(latents: Float32Array, n: number, h: number, w: number, names: string[]): Promise<Uint8Array[]> {
  const vae = await session('vae_decoder');
  const out = await vae.run({ latent_sample: new ort.Tensor('float32', latents.map((v) => v / SCALING_FACTOR), [n, 4, h, w]) });
  const [H, W] = [8 * h, 8 * w];
  const data = out.sample.data as Float32Array;
  mkdirSync(PREVIEW, { recursive: true });
  const images: Uint8Array[] = [];
  for (let b = 0; b < n; b++) {
    const rgb = new Uint8Array(H * W * 3);
    for (let c = 0; c < 3; c++) {
      for (let k = 0; k < H * W; k++) rgb[k * 3 + c] = Math.round(Math.min(1, Math.max(0, data[(b * 3 + c) * H * W + k] / 2 + 0.5)) * 255);
    }
    await sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).png().toFile(join(PREVIEW, `${names[b]}.png`));
    images.push(rgb);
  }
  return images;
}

const meanAbsDiff = (a: Uint8Array, b: Uint8Array) => a.reduce((acc, v, i) => acc + Math.abs(v - b[i]), 0) / a.length / 255;
const stdOf = (a: Uint8Array) => {
  const m = a.reduce((acc, v) => acc + v, 0) / a.length;
  return Math.sqrt(a.reduce((acc, v) => acc + (v - m) ** 2, 0) / a.length) / 255;
};

describe('toy model sampling', () => {
  const prompts = ['a red fox in a snowy forest at dawn', 'a lighthouse on a stormy sea at night', 'a princess in a golden castle garden'];
  const [h, w] = [40, 56]; // 320 x 448 pixels: width != height on purpose

  it.each([1, 7.5])('DDIM 25 steps at guidance %s lands near each prompt\'s mean, pictures differ', async (guidance) => {
    const x = await ddim(prompts, 25, guidance, h, w, 42);
    const text = await encode(prompts);
    const size = 4 * h * w;
    prompts.forEach((_, b) => {
      const pn = pooledDirection(text, 77, b);
      const mu = toyMean(weights, pn, h, w);
      const s = toySpread(weights, pn);
      const rms = Math.sqrt(mu.reduce((acc, m, k) => acc + (x[b * size + k] - m) ** 2, 0) / size);
      const muRms = Math.sqrt(mu.reduce((acc, m) => acc + m * m, 0) / size);
      // A sample of N(mu, s^2 I) sits about s from mu; guidance only pulls it closer.
      expect(rms, `prompt ${b}: rms ${rms} vs spread ${s}`).toBeLessThan(1.3 * s + 0.05);
      expect(muRms).toBeGreaterThan(2 * rms);
    });
    const images = await decodeToPng(x, prompts.length, h, w, prompts.map((_, b) => `ddim-g${guidance}-${b}`));
    for (const img of images) expect(stdOf(img)).toBeGreaterThan(0.1); // colourful, not flat grey
    // Prompts share the common component (toy-spec.ts, COMMON_NORM), so pictures differ by their
    // prompt-specific part: still a mean 15+ levels of 255 per channel apart.
    expect(meanAbsDiff(images[0], images[1])).toBeGreaterThan(0.06);
    expect(meanAbsDiff(images[0], images[2])).toBeGreaterThan(0.06);
    expect(meanAbsDiff(images[1], images[2])).toBeGreaterThan(0.06);
  });

  it.each(['text, watermark, blurry', 'ugly, deformed'])('guidance 7.5 with the negative "%s" stays in range and moves away from it', async (negative) => {
    const x = await ddim(prompts, 25, 7.5, h, w, 42, negative);
    const plain = await ddim(prompts, 25, 7.5, h, w, 42);
    const text = await encode([...prompts, negative]);
    const neg = pooledDirection(text, 77, prompts.length);
    // Generic words sit near the shared direction: the negative is broader than any scene prompt.
    expect(toySpread(weights, neg)).toBeGreaterThan(0.3);
    const size = 4 * h * w;
    const images = await decodeToPng(x, prompts.length, h, w, prompts.map((_, b) => `ddim-neg-${negative.split(',')[0]}-${b}`));
    const plainImages = await decodeToPng(plain, prompts.length, h, w, prompts.map((_, b) => `ddim-plain-${b}`));
    const muN = toyMean(weights, neg, h, w);
    prompts.forEach((_, b) => {
      const clipped = images[b].reduce((acc, v) => acc + (v === 0 || v === 255 ? 1 : 0), 0) / images[b].length;
      expect(clipped, `prompt ${b}: ${(100 * clipped).toFixed(1)}% clipped`).toBeLessThan(0.05);
      // CFG fixed point (w_p mu_p + w_n mu_n) / (w_p + w_n) with w_n < 0: further from mu_neg than without.
      const dist = (lat: Float32Array) => Math.sqrt(muN.reduce((acc, m, k) => acc + (lat[b * size + k] - m) ** 2, 0) / size);
      expect(dist(x)).toBeGreaterThan(dist(plain) * 1.05);
      expect(meanAbsDiff(images[b], plainImages[b])).toBeGreaterThan(0.005); // a visible shift, not a new picture
      expect(meanAbsDiff(images[b], plainImages[b])).toBeLessThan(0.1);
    });
    expect(meanAbsDiff(images[0], images[1])).toBeGreaterThan(0.06);
    expect(meanAbsDiff(images[1], images[2])).toBeGreaterThan(0.06);
  });

  it('Euler on toy-v (v-prediction, fractional linspace timesteps) lands near the mean too', async () => {
    const unet = await session('unet', 'models/toy-v');
    const steps = 30;
    const [hh, ww] = [24, 32];
    const size = 4 * hh * ww;
    const train = alphasCumprod().map((a) => Math.sqrt((1 - a) / a));
    // linspace(0, 999, N)[::-1] stays fractional; sigma(t) interpolated as in diffusers' Euler.
    const ts = Array.from({ length: steps }, (_, i) => 999 - (999 * i) / (steps - 1));
    const sigmaOf = (t: number) => train[Math.floor(t)] + (t - Math.floor(t)) * (train[Math.ceil(t)] - train[Math.floor(t)]);
    const text = await encode(['a green dragon over the mountains']);
    let x = new SeededRandom(5).take(size).map((v) => v * sigmaOf(ts[0]));
    for (let i = 0; i < steps; i++) {
      const sigma = sigmaOf(ts[i]);
      const next = i + 1 < steps ? sigmaOf(ts[i + 1]) : 0;
      const scale = Math.sqrt(sigma * sigma + 1);
      const out = await unet.run({
        sample: new ort.Tensor('float32', x.map((v) => v / scale), [1, 4, hh, ww]),
        timestep: new ort.Tensor('float32', Float32Array.from([ts[i]]), [1]),
        encoder_hidden_states: new ort.Tensor('float32', text, [1, 77, TOY_DIM]),
      });
      const v = out.out_sample.data as Float32Array;
      // Karras et al. 2022 Alg. 2 (Euler): x0 from v (diffusers: -sigma/sqrt(sigma^2+1) v + x/(sigma^2+1)).
      x = x.map((xv, k) => {
        const x0 = (-sigma / scale) * v[k] + xv / (sigma * sigma + 1);
        return xv + ((xv - x0) / sigma) * (next - sigma);
      });
    }
    const pn = pooledDirection(text, 77, 0);
    const mu = toyMean(weights, pn, hh, ww);
    const rms = Math.sqrt(mu.reduce((acc, m, k) => acc + (x[k] - m) ** 2, 0) / size);
    expect(rms).toBeLessThan(1.3 * toySpread(weights, pn) + 0.05);
    await decodeToPng(x, 1, hh, ww, ['euler-v']);
  });

  it('bench UNet = toy denoiser + a small seeded residual', async () => {
    const [B, hh, ww] = [2, 16, 16];
    const x = new SeededRandom(9).take(B * 4 * hh * ww);
    const text = await encode(['a green dragon', 'a blue whale']);
    const feeds = {
      sample: new ort.Tensor('float32', x, [B, 4, hh, ww]),
      timestep: new ort.Tensor('float32', Float32Array.from([500, 500]), [B]),
      encoder_hidden_states: new ort.Tensor('float32', text, [B, 77, TOY_DIM]),
    };
    const toy = (await (await session('unet')).run(feeds)).out_sample.data as Float32Array;
    const bench = (await (await session('unet', 'models/bench-unet')).run(feeds)).out_sample.data as Float32Array;
    const diff = Math.sqrt(bench.reduce((acc, v, i) => acc + (v - toy[i]) ** 2, 0) / bench.length);
    expect(bench.every(Number.isFinite)).toBe(true);
    expect(diff).toBeGreaterThan(1e-4);
    expect(diff).toBeLessThan(0.1);
  });
});
