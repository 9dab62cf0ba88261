/**
 * The engine's small pure parts and adapters: float16 conversion (round to nearest even), .npy
 * reading, latent masks and the inward feather, painted-copy masks, the LCM guidance embedding, the
 * preview map, and the sharp adapters (PNG round trip, grid, mask images).
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy } from '../src/cli/npy.js';
import { createGray, createRgb } from '../src/core/image.js';
import { float16ToFloat32, float32ToFloat16, fromHalfBits, toHalfBits } from '../src/diffusion/float16.js';
import { guidanceEmbedding } from '../src/diffusion/guidance-embedding.js';
import { compositeOverSource, featheredAlpha, latentMask } from '../src/diffusion/inpaint-mask.js';
import { latentPreview } from '../src/diffusion/latent-preview.js';
import { paintedCopyMask } from '../src/diffusion/painted-mask.js';
import { decodeImage, gridImage, gridPng, loadMask, rgbToPng } from '../src/diffusion/png.js';

describe('float16', () => {
  it('converts known values exactly', () => {
    expect([1, -2, 0.5, 65504, 2 ** -24, 0].map(toHalfBits)).toEqual([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x0000]);
    expect(toHalfBits(1e6)).toBe(0x7c00);
    expect(fromHalfBits(0x3555)).toBeCloseTo(0.33325, 5);
  });

  it('rounds ties to even and round-trips every half', () => {
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie between 1 and 1 + 2^-10: even mantissa
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    const all = Uint16Array.from({ length: 0x7c00 }, (_, i) => i);
    expect(float32ToFloat16(float16ToFloat32(all))).toEqual(all);
  });
});

describe('.npy', () => {
  it('round-trips float32 arrays and reads the shape', () => {
    const data = Float32Array.from({ length: 24 }, (_, i) => i / 7 - 1);
    const parsed = parseNpy(encodeNpy(data, [1, 4, 2, 3]));
    expect(parsed.shape).toEqual([1, 4, 2, 3]);
    expect(parsed.data).toEqual(data);
  });

  it('explains files it cannot use in one sentence', () => {
    expect(() => parseNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 'x.npy')).toThrow('x.npy is not a NumPy .npy file.');
    const ints = encodeNpy(new Float32Array(2), [2]);
    const text = new TextDecoder('latin1').decode(ints).replace("'<f4'", "'<i4'");
    expect(() => parseNpy(Uint8Array.from(text, (c) => c.charCodeAt(0)), 'x.npy')).toThrow('x.npy holds <i4 values; use float32 (<f4), float64 or float16.');
  });
});

describe('masks', () => {
  it('samples the latent mask nearest (top-left of each 8 x 8 block) and binarizes it', () => {
    const mask = createGray(16, 16);
    mask.data[0] = 255; // block (0, 0) top-left: on
    mask.data[8 * 16 + 9] = 255; // block (1, 1) not at its top-left: off
    mask.data[8] = 100; // below threshold
    expect(Array.from(latentMask(mask, 2, 2))).toEqual([1, 0, 0, 0]);
  });

  it('feathers only inward: 0 outside the mask, 1 deep inside', () => {
    const mask = createGray(32, 32);
    for (let y = 8; y < 24; y++) mask.data.fill(255, y * 32 + 8, y * 32 + 24);
    const alpha = featheredAlpha(mask);
    for (let p = 0; p < alpha.length; p++) if (mask.data[p] === 0) expect(alpha[p]).toBe(0);
    expect(alpha[16 * 32 + 16]).toBe(1);
    expect(alpha[16 * 32 + 8]).toBeGreaterThan(0);
    expect(alpha[16 * 32 + 8]).toBeLessThan(1);
    const source = createRgb(32, 32);
    source.data.fill(10);
    const decoded = createRgb(32, 32);
    decoded.data.fill(200);
    const out = compositeOverSource(decoded, source, alpha);
    expect(out.data[0]).toBe(10);
    expect(out.data[(16 * 32 + 16) * 3]).toBe(200);
  });

  it('finds bright or saturated paint on a copy and ignores faint noise', () => {
    const draft = createRgb(20, 10);
    draft.data.fill(90);
    const painted = { ...draft, data: Uint8Array.from(draft.data) };
    for (let p = 0; p < 200; p++) painted.data[p * 3] += p % 2 === 0 ? 12 : 0; // JPEG-like noise
    painted.data.set([255, 20, 20], (5 * 20 + 10) * 3); // one red stroke pixel
    const mask = paintedCopyMask(draft, painted, { grow: 1 });
    expect(mask.data[5 * 20 + 10]).toBe(255);
    expect(mask.data[5 * 20 + 11]).toBe(255); // grown by 1
    expect(mask.data[0]).toBe(0);
    expect(mask.data.filter((v) => v === 255).length).toBe(9);
  });
});

describe('LCM guidance embedding and previews', () => {
  it('is [sin(w f), cos(w f)] with w = (g - 1) * 1000', () => {
    const e = guidanceEmbedding(1, 8);
    expect(Array.from(e)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    const g = guidanceEmbedding(8.5, 256);
    expect(g[0]).toBeCloseTo(Math.sin(7500), 4);
    expect(g[128 + 127]).toBeCloseTo(Math.cos(7500 * Math.exp((-127 * Math.log(10000)) / 127)), 5);
  });

  it('maps zero latents to mid gray', () => {
    const preview = latentPreview(new Float32Array(4 * 2 * 3), 1, 2, 3);
    expect([preview.width, preview.height]).toEqual([3, 2]);
    expect(new Set(preview.data)).toEqual(new Set([128]));
  });
});

describe('sharp adapters', () => {
  it('PNG round trip is lossless and byte-stable', async () => {
    const image = createRgb(7, 5);
    image.data.forEach((_, i) => (image.data[i] = (i * 37) % 256));
    const png = await rgbToPng(image);
    expect(Buffer.compare(png, await rgbToPng(image))).toBe(0);
    expect(await decodeImage(png)).toEqual(image);
  });

  it('tiles four drafts 2 x 2 with a white gap', async () => {
    const tiles = [0, 60, 120, 180].map((v) => ({ ...createRgb(8, 6), data: new Uint8Array(8 * 6 * 3).fill(v) }));
    const grid = gridImage(tiles, 2);
    expect([grid.width, grid.height]).toEqual([18, 14]);
    expect(grid.data[(13 * 18 + 17) * 3]).toBe(180);
    expect(grid.data[(0 * 18 + 8) * 3]).toBe(255);
    const meta = await sharp(await gridPng(tiles)).metadata();
    expect([meta.width, meta.height]).toEqual([20, 16]); // default gap 4
  });

  it('reads any-colour masks and transparent paint layers', async () => {
    const red = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#000' } })
      .composite([{ input: { create: { width: 8, height: 16, channels: 3, background: '#e01010' } }, left: 8, top: 0 }])
      .png()
      .toBuffer();
    const mask = await loadMask(red, 8, 8);
    expect(Array.from(mask.data.subarray(0, 8))).toEqual([0, 0, 0, 0, 255, 255, 255, 255]);
    const layer = await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: { create: { width: 8, height: 4, channels: 4, background: { r: 20, g: 20, b: 20, alpha: 1 } } }, left: 0, top: 4 }])
      .png()
      .toBuffer();
    const fromAlpha = await loadMask(layer, 8, 8);
    expect(fromAlpha.data[0]).toBe(0);
    expect(fromAlpha.data[63]).toBe(255);
  });
});
