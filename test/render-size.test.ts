import { describe, expect, it } from 'vitest';
import { createGray } from '../src/core/image.js';
import { displaySizeFor, renderSizeFor } from '../src/core/render-size.js';
import { downscaleMask } from '../src/diffusion/native-render.js';

describe('renderSizeFor', () => {
  it('renders at the native pixel count, in the requested shape, when asked for much more', () => {
    expect(renderSizeFor(128, { width: 512, height: 512 })).toEqual({ width: 128, height: 128 });
    expect(renderSizeFor(128, { width: 768, height: 512 })).toEqual({ width: 160, height: 104 });
    expect(renderSizeFor(512, { width: 1024, height: 1024 })).toEqual({ width: 512, height: 512 });
  });

  it('renders as asked at or near native size, and when the model states none', () => {
    expect(renderSizeFor(512, { width: 512, height: 512 })).toEqual({ width: 512, height: 512 });
    expect(renderSizeFor(512, { width: 576, height: 512 })).toEqual({ width: 576, height: 512 });
    expect(renderSizeFor(128, { width: 64, height: 64 })).toEqual({ width: 64, height: 64 });
    expect(renderSizeFor(undefined, { width: 2048, height: 2048 })).toEqual({ width: 2048, height: 2048 });
  });

  it('shows native renders at least 512 px by a whole factor', () => {
    expect(displaySizeFor(128)).toEqual({ width: 512, height: 512 });
    expect(displaySizeFor(768)).toEqual({ width: 768, height: 768 });
    expect(displaySizeFor(200, 512)).toEqual({ width: 600, height: 600 });
  });
});

describe('downscaleMask', () => {
  it('repaints a render pixel when a quarter of its footprint is masked, so thin strokes survive', () => {
    const mask = createGray(16, 16);
    for (let y = 0; y < 16; y++) mask.data[y * 16 + 5] = 255; // a 1-px vertical stroke at x = 5
    const small = downscaleMask(mask, { width: 4, height: 4 });
    // footprint 4x4 = 16 px; the stroke covers 4 of them (25%) in column 1 only
    expect([...small.data]).toEqual([0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0]);
    expect([...downscaleMask(createGray(16, 16), { width: 4, height: 4 }).data].every((v) => v === 0)).toBe(true);
  });
});
