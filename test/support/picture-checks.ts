/**
 * Small checks on rendered pictures for tests, and the folder they write pictures to so a person can
 * look at them (out/test-output/, git-ignored with out/). Not a test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../../src/core/image.js';
import { rgbToPng } from '../../src/diffusion/png.js';

export const TEST_OUTPUT = new URL('../../out/test-output', import.meta.url).pathname;

/** Writes `name`.png into TEST_OUTPUT/`folder`. */
export async function savePicture(folder: string, name: string, image: RgbImage): Promise<void> {
  mkdirSync(join(TEST_OUTPUT, folder), { recursive: true });
  writeFileSync(join(TEST_OUTPUT, folder, `${name}.png`), await rgbToPng(image));
}

/** Mean of every channel value, 0-255. */
export const brightness = (image: RgbImage) => image.data.reduce((s, v) => s + v, 0) / image.data.length;

/** Leftmost and rightmost columns in rows [top, top + height) whose colour differs from `background` (-1 when none). */
export async function inkColumns(png: Buffer, rows: { top: number; height: number }, background: string): Promise<{ first: number; last: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const bg = [1, 3, 5].map((i) => parseInt(background.slice(i, i + 2), 16));
  let first = -1;
  let last = -1;
  for (let y = rows.top; y < Math.min(info.height, rows.top + rows.height); y++) {
    for (let x = 0; x < info.width; x++) {
      const o = (y * info.width + x) * 3;
      if (Math.abs(data[o]! - bg[0]!) + Math.abs(data[o + 1]! - bg[1]!) + Math.abs(data[o + 2]! - bg[2]!) < 24) continue;
      if (first < 0 || x < first) first = x;
      if (x > last) last = x;
    }
  }
  return { first, last };
}

/**
 * How a 2x2 draft grid differs from its variants: per cell, the pixels that differ inside the top
 * left corner (where the number tag goes, the first `cornerShare` of each side) and outside it, and
 * whether the corner holds near-white ink (the digit).
 */
export async function gridCornerDiffs(grid: Buffer, variants: Buffer[], gap = 4, cornerShare = 0.3): Promise<{ inside: number; outside: number; whiteInk: boolean }[]> {
  const g = await sharp(grid).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const out = [];
  for (const [i, png] of variants.entries()) {
    const v = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const { width: w, height: h } = v.info;
    const left = (i % 2) * (w + gap);
    const top = Math.floor(i / 2) * (h + gap);
    let inside = 0;
    let outside = 0;
    let whiteInk = false;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const a = ((top + y) * g.info.width + left + x) * 3;
        const b = (y * w + x) * 3;
        const differs = [0, 1, 2].some((c) => g.data[a + c] !== v.data[b + c]);
        const corner = x < w * cornerShare && y < h * cornerShare;
        if (differs && corner) inside++;
        if (differs && !corner) outside++;
        if (corner && differs && [0, 1, 2].every((c) => g.data[a + c]! >= 200)) whiteInk = true;
      }
    }
    out.push({ inside, outside, whiteInk });
  }
  return out;
}
