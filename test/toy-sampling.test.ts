/**
 * End-to-end sanity of the toy model as a diffusion model: a plain DDIM loop (eta 0, "leading" spacing,
 * DDIM eq. 12) with classifier-free guidance over the real ONNX files. Without guidance a render is a
 * sample about s_lo from the prompt's mean; at guidance 7.5 it follows the (amplified) mean, different
 * prompts decode to clearly different pictures, four seeds give four different compositions, the
 * pictures are smooth (no white-noise grain: the spread is broad only in the low DCT band), and
 * guidance 7.5 stays in range, also with a generic negative prompt ("text, watermark, blurry"), which
 * then pushes the picture away from the negative's mean without leaving the colour range.
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

/** Pearson correlation of two equal-length arrays. */
function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let [ma, mb] = [0, 0];
  for (let i = 0; i < n; i++) [ma, mb] = [ma + a[i] / n, mb + b[i] / n];
  let [ab, aa, bb] = [0, 0, 0];
  for (let i = 0; i < n; i++) [ab, aa, bb] = [ab + (a[i] - ma) * (b[i] - mb), aa + (a[i] - ma) ** 2, bb + (b[i] - mb) ** 2];
  return ab / Math.sqrt(aa * bb);
}

/**
 * Grain: mean |4-neighbour Laplacian| of the picture at the latent-pixel scale (8x8 block means of an
 * interleaved RGB picture W wide), in 0..1 units. White latent noise lives exactly at that scale (the VAE
 * upsamples each latent pixel x8), a smooth low-band picture has tiny second differences there.
 */
function grain(rgb: Uint8Array, W: number): number {
  const t = thumbnail(rgb, W);
  const [w, h] = [W / 8, t.length / 3 / (W / 8)];
  let sum = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      for (let c = 0; c < 3; c++) {
        const at = (yy: number, xx: number) => t[(yy * w + xx) * 3 + c];
        sum += Math.abs(4 * at(y, x) - at(y - 1, x) - at(y + 1, x) - at(y, x - 1) - at(y, x + 1));
        n++;
      }
    }
  }
  return sum / n;
}

/** 8x8-pixel block means (the picture's layout, without texture). */
function thumbnail(rgb: Uint8Array, W: number): Float64Array {
  const H = rgb.length / 3 / W;
  const out = new Float64Array((H / 8) * (W / 8) * 3);
  for (let k = 0; k < rgb.length / 3; k++) {
    const [y, x] = [Math.floor(k / W), k % W];
    for (let c = 0; c < 3; c++) out[(Math.floor(y / 8) * (W / 8) + Math.floor(x / 8)) * 3 + c] += rgb[k * 3 + c] / 64 / 255;
  }
  return out;
}

describe('toy model sampling', () => {
  const prompts = ['a red fox in a snowy forest at dawn', 'a lighthouse on a stormy sea at night', 'a princess in a golden castle garden'];
  const [h, w] = [40, 56]; // 320 x 448 pixels: width != height on purpose

  it('DDIM 25 steps without guidance gives a sample about s_lo from the prompt\'s mean', async () => {
    const x = await ddim(prompts, 25, 1, h, w, 42);
    const text = await encode(prompts);
    const size = 4 * h * w;
    prompts.forEach((_, b) => {
      const mu = toyMean(weights, pooledDirection(text, 77, b), h, w);
      const s = toySpread(weights, pooledDirection(text, 77, b));
      const rms = Math.sqrt(mu.reduce((acc, m, k) => acc + (x[b * size + k] - m) ** 2, 0) / size);
      // Per pixel the low band has std about s_lo (LO_AMP = 1/3, toy-spec.ts); the high band is tiny.
      expect(rms, `prompt ${b}: rms ${rms} vs spread ${s}`).toBeLessThan(1.3 * s + 0.05);
      expect(rms).toBeGreaterThan(0.3 * s);
    });
    const images = await decodeToPng(x, prompts.length, h, w, prompts.map((_, b) => `ddim-g1-${b}`));
    for (const img of images) expect(stdOf(img)).toBeGreaterThan(0.1);
  });

  it('DDIM 25 steps at guidance 7.5 follows each prompt\'s mean, and pictures differ', async () => {
    const x = await ddim(prompts, 25, 7.5, h, w, 42);
    const text = await encode(prompts);
    const size = 4 * h * w;
    prompts.forEach((_, b) => {
      const mu = toyMean(weights, pooledDirection(text, 77, b), h, w);
      // CFG moves each low-band coefficient to g / (g - (g - 1) rho) times the mean (rho = (s_lo / 1)^2)
      // and keeps (rho (L + sigma_T^2) / (rho L + sigma_T^2))^((g - 1) / 2) of the spread: the amplified
      // mean dominates.
      expect(correlation(x.subarray(b * size, (b + 1) * size), mu), `prompt ${b}`).toBeGreaterThan(0.7);
    });
    const images = await decodeToPng(x, prompts.length, h, w, prompts.map((_, b) => `ddim-g7.5-${b}`));
    for (const img of images) expect(stdOf(img)).toBeGreaterThan(0.1); // colourful, not flat grey
    // Prompts share the common component (toy-spec.ts, COMMON_NORM), so pictures differ by their
    // prompt-specific part: still a mean 15+ levels of 255 per channel apart.
    expect(meanAbsDiff(images[0], images[1])).toBeGreaterThan(0.06);
    expect(meanAbsDiff(images[0], images[2])).toBeGreaterThan(0.06);
    expect(meanAbsDiff(images[1], images[2])).toBeGreaterThan(0.06);
  });

  it('four seeds give four different compositions at guidance 7.5, far above the grain level', async () => {
    const [hh, ww] = [32, 32]; // 256 x 256, the draft size
    const byPrompt: Uint8Array[][] = [[], []];
    for (const seed of [1, 2, 3, 4]) {
      const x = await ddim(prompts.slice(0, 2), 25, 7.5, hh, ww, seed, 'text, watermark, blurry');
      (await decodeToPng(x, 2, hh, ww, [`seed${seed}-0`, `seed${seed}-1`])).forEach((img, b) => byPrompt[b].push(img));
    }
    for (const images of byPrompt) {
      const level = Math.max(...images.map((img) => grain(img, 8 * ww)));
      for (let i = 0; i < 4; i++) {
        for (let j = i + 1; j < 4; j++) {
          const d = meanAbsDiff(images[i], images[j]);
          expect(d, `seeds ${i + 1}, ${j + 1}`).toBeGreaterThan(0.03); // 8+ levels of 255 on average
          // The grain floor is the sampler's last-step residual in the high band, which CFG leaves alone
          // (one s_hi for every prompt); seeds still move the picture several times more than that.
          expect(d).toBeGreaterThan(3.5 * level);
          // The layout itself moves: 8x8 block means differ, not just texture.
          const [ti, tj] = [thumbnail(images[i], 8 * ww), thumbnail(images[j], 8 * ww)];
          expect(ti.reduce((acc, v, k) => acc + Math.abs(v - tj[k]), 0) / ti.length).toBeGreaterThan(0.03);
        }
      }
    }
  });

  it('has far less high-frequency grain than the old isotropic toy at the same noise', async () => {
    // The old toy's data was N(mu, s^2 I) with s ~ 0.16-0.22 per latent pixel, so a deterministic sampler
    // mapped z to mu + s z: white latent noise, upsampled x8 into blocky grain. Same z, same mean here.
    const x = await ddim(prompts, 25, 1, h, w, 42);
    const text = await encode(prompts);
    const z = new SeededRandom(42).take(prompts.length * 4 * h * w);
    const old = new Float32Array(z.length);
    const size = 4 * h * w;
    prompts.forEach((_, b) => {
      const mu = toyMean(weights, pooledDirection(text, 77, b), h, w);
      for (let k = 0; k < size; k++) old[b * size + k] = mu[k] + 0.19 * z[b * size + k];
    });
    const now = await decodeToPng(x, prompts.length, h, w, prompts.map((_, b) => `grain-new-${b}`));
    const before = await decodeToPng(old, prompts.length, h, w, prompts.map((_, b) => `grain-old-${b}`));
    now.forEach((img, b) => {
      // Measured 0.025-0.031 vs 0.105: what is left is s_hi ~ 0.02-0.05 and the curvature of the low band.
      expect(grain(img, 8 * w), `prompt ${b}`).toBeLessThan(0.35 * grain(before[b], 8 * w));
    });
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
