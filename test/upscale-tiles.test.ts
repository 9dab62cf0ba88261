import { describe, expect, it } from 'vitest';
import { cropTile, planTiles, TileBlender } from '../src/core/upscale-tiles.js';
import type { RgbImage } from '../src/core/image.js';

function gradient(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x % 256, y % 256, (x + y) % 256], (y * width + x) * 3);
  return { width, height, data };
}

describe('upscale tiles', () => {
  it('one tile when the picture fits, overlapping tiles of the native size when it does not', () => {
    expect(planTiles(128, 96, 512)).toEqual([{ left: 0, top: 0, width: 128, height: 96 }]);
    const tiles = planTiles(128, 128, 64);
    expect(tiles.map((t) => [t.left, t.top])).toEqual([0, 32, 64].flatMap((top) => [0, 32, 64].map((left) => [left, top])));
    const wide = planTiles(1024, 512, 512);
    expect(wide.map((t) => t.left)).toEqual([0, 256, 512]);
    for (const t of planTiles(1000, 744, 512)) {
      expect(t.left % 8).toBe(0);
      expect(t.left + t.width).toBeLessThanOrEqual(1000);
      expect(t.top + t.height).toBeLessThanOrEqual(744);
    }
    expect(() => planTiles(128, 128, 8)).toThrow(RangeError);
  });

  it('blends tiles of the picture itself back into exactly the picture', () => {
    const image = gradient(128, 96);
    const tiles = planTiles(128, 96, 64);
    const blender = new TileBlender(128, 96, tiles);
    tiles.forEach((t, i) => blender.add(i, cropTile(image, t)));
    expect(Buffer.from(blender.result().data).equals(Buffer.from(image.data))).toBe(true);
  });

  it('fades across overlaps: two different tiles meet without a hard seam', () => {
    const tiles = planTiles(96, 64, 64);
    expect(tiles).toHaveLength(2);
    const blender = new TileBlender(96, 64, tiles);
    const flat = (v: number): RgbImage => ({ width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(v) });
    blender.add(0, flat(0));
    blender.add(1, flat(240));
    const row = [...Array(96).keys()].map((x) => blender.result().data[(10 * 96 + x) * 3]!);
    expect(row[0]).toBe(0);
    expect(row[95]).toBe(240);
    // Inside the overlap (x 32..63) the value climbs step by step, never jumping by more than a ramp step.
    for (let x = 1; x < 96; x++) expect(row[x]! - row[x - 1]!).toBeGreaterThanOrEqual(0);
    for (let x = 1; x < 96; x++) expect(row[x]! - row[x - 1]!).toBeLessThanOrEqual(Math.ceil(240 / 32) + 1);
  });

  it('shows the source where no tile has been drawn yet', () => {
    const tiles = planTiles(128, 64, 64);
    const blender = new TileBlender(128, 64, tiles);
    blender.add(0, { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(9) });
    const under = gradient(128, 64);
    const mixed = blender.result(under);
    expect(mixed.data[0]).toBe(9);
    expect(mixed.data[(127) * 3]).toBe(under.data[127 * 3]);
  });
});
