import { describe, expect, it } from 'vitest';
import { sizeForAspect } from '../src/core/aspect-ratio.js';

describe('sizeForAspect', () => {
  const base = { width: 512, height: 512 };
  it.each([
    [{ width: 1, height: 1 }, { width: 512, height: 512 }],
    [{ width: 3, height: 2 }, { width: 640, height: 448 }],
    [{ width: 2, height: 3 }, { width: 448, height: 640 }],
    [{ width: 16, height: 9 }, { width: 704, height: 384 }],
    [{ width: 100, height: 1 }, { width: 1024, height: 256 }],
  ])('%j of a 512x512 budget is %j', (ratio, size) => {
    expect(sizeForAspect(base, ratio)).toEqual(size);
  });

  it('keeps about the same pixel count and multiples of 64', () => {
    const s = sizeForAspect(base, { width: 7, height: 5 });
    expect(s.width % 64).toBe(0);
    expect(s.height % 64).toBe(0);
    expect(Math.abs(s.width * s.height - 512 * 512) / (512 * 512)).toBeLessThan(0.15);
  });
});
