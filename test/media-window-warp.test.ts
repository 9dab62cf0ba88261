// Motion-compensated keyframe blending (pure): a keyframe warped to its own window is unchanged, a
// zoomed window samples the right place, pixels a keyframe never saw fall back, and keyframes are
// every k-th frame plus the last.
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../src/core/image.js';
import { keyframeIndices } from '../src/media/animate.js';
import { blendWarped, warpWindow } from '../src/media/window-warp.js';

function ramp(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x * 10, y * 10, 100], (y * width + x) * 3);
  return { width, height, data };
}

describe('window warp', () => {
  it('leaves a keyframe unchanged when the window is the same', () => {
    const image = ramp(16, 12);
    const w = { x: 0.1, y: 0.1, width: 0.8, height: 0.8 };
    const warped = warpWindow(image, w, w);
    expect(Array.from(warped.image.data)).toEqual(Array.from(image.data));
    expect(warped.valid.every((v) => v === 1)).toBe(true);
  });

  it('samples the centre half when the camera zooms in 2x', () => {
    const image = ramp(16, 12);
    const warped = warpWindow(image, { x: 0, y: 0, width: 1, height: 1 }, { x: 0.25, y: 0.25, width: 0.5, height: 0.5 });
    // Output pixel (0, 0) is panel point (0.25 + 0.5/32, ...) = source x 3.75, y 2.75: bilinear ramp values.
    expect(warped.image.data[0]).toBe(38); // 10 * 3.75 rounded
    expect(warped.image.data[1]).toBe(28); // 10 * 2.75 rounded
    expect(warped.valid.every((v) => v === 1)).toBe(true);
  });

  it('marks what a zoomed-in keyframe never saw, and blending fills it from the other keyframe or the plain frame', () => {
    const image = ramp(16, 12);
    const wide = { x: 0, y: 0, width: 1, height: 1 };
    const tight = { x: 0.25, y: 0.25, width: 0.5, height: 0.5 };
    const fromTight = warpWindow(image, tight, wide);
    expect(fromTight.valid[0]).toBe(0);
    expect(fromTight.valid[6 * 16 + 8]).toBe(1);
    const plain: RgbImage = { width: 16, height: 12, data: new Uint8Array(16 * 12 * 3).fill(7) };
    const alone = blendWarped(fromTight, fromTight, 0.5, plain);
    expect(alone.data[0]).toBe(7);
    const other = warpWindow(image, wide, wide);
    const mixed = blendWarped(fromTight, other, 0.5, plain);
    expect(mixed.data[0]).toBe(image.data[0]); // only `other` covers the corner
  });

  it('redraws every k-th frame and always the last', () => {
    expect(keyframeIndices(16, 3)).toEqual([0, 3, 6, 9, 12, 15]);
    expect(keyframeIndices(16, 4)).toEqual([0, 4, 8, 12, 15]);
    expect(keyframeIndices(5, 1)).toEqual([0, 1, 2, 3, 4]);
    expect(keyframeIndices(1, 3)).toEqual([0]);
  });
});
