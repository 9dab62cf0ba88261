/**
 * SSIM, MS-SSIM and Laplacian SNR against values worked out here from the formulas (Wang et al. 2004;
 * Wang, Simoncelli, Bovik 2003; Immerkaer 1996), not against the implementation's own helpers.
 */
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../src/core/image.js';
import { SeededRandom } from '../src/core/random.js';
import { ssim } from '../src/core/budget/ssim.js';
import { msSsim, msSsimScales } from '../src/core/budget/ms-ssim.js';
import { laplacianSnr } from '../src/core/budget/laplacian-snr.js';

const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

function gray(w: number, h: number, value: (x: number, y: number) => number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = Math.max(0, Math.min(255, Math.round(value(x, y))));
      data.set([v, v, v], (y * w + x) * 3);
    }
  }
  return { width: w, height: h, data };
}

function noise(w: number, h: number, seed: number, mean = 128, sd = 30): RgbImage {
  const r = new SeededRandom(seed);
  return gray(w, h, () => mean + sd * r.nextGaussian());
}

/** Independent SSIM: explicit 2-D Gaussian weights and per-window sums, eq. (13) of Wang et al. 2004. */
function bruteSsim(a: RgbImage, b: RgbImage): number {
  const k = 11;
  const weights: number[] = [];
  let total = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = Math.exp(-((i - 5) ** 2 + (j - 5) ** 2) / (2 * 1.5 * 1.5));
      weights.push(v);
      total += v;
    }
  }
  const lum = (img: RgbImage, x: number, y: number) => {
    const o = (y * img.width + x) * 3;
    return 0.299 * img.data[o] + 0.587 * img.data[o + 1] + 0.114 * img.data[o + 2];
  };
  let sum = 0;
  let count = 0;
  for (let y0 = 0; y0 + k <= a.height; y0++) {
    for (let x0 = 0; x0 + k <= a.width; x0++) {
      let mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          const w = weights[i * k + j] / total;
          const p = lum(a, x0 + j, y0 + i);
          const q = lum(b, x0 + j, y0 + i);
          mx += w * p;
          my += w * q;
          sxx += w * p * p;
          syy += w * q * q;
          sxy += w * p * q;
        }
      }
      const vx = sxx - mx * mx;
      const vy = syy - my * my;
      const cov = sxy - mx * my;
      sum += ((2 * mx * my + C1) * (2 * cov + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
      count++;
    }
  }
  return sum / count;
}

describe('ssim', () => {
  it('is exactly 1 for identical images', () => {
    const x = noise(32, 24, 1);
    expect(ssim(x, x)).toBeCloseTo(1, 12);
  });

  it('matches the closed form for two flat images (sigma = 0, so only the luminance term remains)', () => {
    const a = gray(16, 16, () => 100);
    const b = gray(16, 16, () => 140);
    const expected = (2 * 100 * 140 + C1) / (100 * 100 + 140 * 140 + C1);
    expect(expected).toBeCloseTo(0.94596, 5);
    expect(ssim(a, b)).toBeCloseTo(expected, 9);
  });

  it('for a constant shift keeps cs = 1 and only loses luminance', () => {
    const x = gray(20, 20, (i, j) => 100 + 20 * Math.sin(i / 2) * Math.cos(j / 3));
    const y = gray(20, 20, (i, j) => 130 + 20 * Math.sin(i / 2) * Math.cos(j / 3));
    const v = ssim(x, y);
    expect(v).toBeCloseTo(bruteSsim(x, y), 9);
    // Local means are ~100 and ~130, so the value sits near (2*100*130 + C1) / (100^2 + 130^2 + C1).
    expect(v).toBeCloseTo((2 * 100 * 130 + C1) / (100 ** 2 + 130 ** 2 + C1), 2);
  });

  it('matches a brute-force window-by-window computation on noise pairs', () => {
    const a = noise(24, 20, 2);
    const b = noise(24, 20, 3);
    const r = new SeededRandom(4);
    const c = gray(24, 20, (x, y) => a.data[(y * 24 + x) * 3] + 10 * r.nextGaussian());
    expect(ssim(a, b)).toBeCloseTo(bruteSsim(a, b), 9);
    expect(ssim(a, c)).toBeCloseTo(bruteSsim(a, c), 9);
    expect(ssim(a, c)).toBeGreaterThan(0.8);
    expect(Math.abs(ssim(a, b))).toBeLessThan(0.25); // independent noise: near 0, C2 adds a small bias
  });

  it('is symmetric', () => {
    const a = noise(16, 16, 5);
    const b = noise(16, 16, 6, 100, 10);
    expect(ssim(a, b)).toBe(ssim(b, a));
  });

  it('refuses images of different sizes or smaller than the window', () => {
    expect(() => ssim(noise(16, 16, 1), noise(16, 17, 1))).toThrow(/differ in size/);
    expect(() => ssim(noise(8, 8, 1), noise(8, 8, 1))).toThrow(/smaller than the 11x11/);
  });
});

describe('msSsim', () => {
  it('uses as many scales as keep an 11x11 window', () => {
    expect(msSsimScales(64, 64)).toBe(3);
    expect(msSsimScales(256, 256)).toBe(5);
    expect(msSsimScales(512, 512)).toBe(5);
    expect(msSsimScales(16, 40)).toBe(1);
  });

  it('is 1 for identical images and within [0, 1] otherwise', () => {
    const a = noise(64, 64, 7);
    expect(msSsim(a, a)).toBeCloseTo(1, 12);
    for (const seed of [8, 9, 10]) {
      const v = msSsim(a, noise(64, 64, seed));
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('with one scale equals single-scale SSIM', () => {
    const a = noise(16, 16, 11);
    const r = new SeededRandom(12);
    const b = gray(16, 16, (x, y) => a.data[(y * 16 + x) * 3] + 5 * r.nextGaussian());
    expect(msSsim(a, b)).toBeCloseTo(ssim(a, b), 12);
  });

  it('is symmetric and ranks a light distortion above a heavy one', () => {
    const a = gray(64, 64, (x, y) => 128 + 60 * Math.sin(x / 5) * Math.sin(y / 7));
    const r = new SeededRandom(13);
    const light = gray(64, 64, (x, y) => a.data[(y * 64 + x) * 3] + 5 * r.nextGaussian());
    const heavy = gray(64, 64, (x, y) => a.data[(y * 64 + x) * 3] + 40 * r.nextGaussian());
    expect(msSsim(a, light)).toBeCloseTo(msSsim(light, a), 12);
    expect(msSsim(a, light)).toBeGreaterThan(msSsim(a, heavy));
  });
});

describe('laplacianSnr', () => {
  it('is 0 dB for a flat image (no detail, no noise)', () => {
    expect(laplacianSnr(gray(10, 10, () => 77))).toBeCloseTo(0, 9);
  });

  it('for 1-pixel stripes: Laplacian 2(u - v) = +-510 everywhere, Immerkaer noise 0', () => {
    const stripes = gray(12, 9, (x) => (x % 2 === 0 ? 0 : 255));
    const q = 1 / 12;
    expect(laplacianSnr(stripes)).toBeCloseTo(10 * Math.log10((510 * 510 + q) / q), 6);
  });

  it('for white noise approaches 10 log10(20) dB (Laplacian variance 20 s^2, Immerkaer estimate s^2)', () => {
    const v = laplacianSnr(noise(128, 128, 14, 128, 20));
    expect(v).toBeGreaterThan(10 * Math.log10(20) - 0.5);
    expect(v).toBeLessThan(10 * Math.log10(20) + 0.5);
  });

  it('rises when a smooth picture gains sharp detail', () => {
    const smooth = gray(32, 32, (x, y) => 128 + 50 * Math.sin(x / 6) * Math.cos(y / 5));
    const sharp = gray(32, 32, (x, y) => 128 + (((x >> 2) + (y >> 2)) % 2 === 0 ? 60 : -60));
    expect(laplacianSnr(sharp)).toBeGreaterThan(laplacianSnr(smooth));
  });
});
