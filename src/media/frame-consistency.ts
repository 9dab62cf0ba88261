/**
 * Frame consistency of a clip: the mean SSIM between each frame and the next. Gen-1 reports the mean
 * CLIP cosine between consecutive frames; without a CLIP model SSIM on luma is the honest stand-in
 * (REFERENCE.md section 8). 1 means nothing changes between frames; flicker and jumps pull it down.
 * Fed one frame at a time so long clips never have to sit in memory. Like Wang et al.'s ssim_index.m,
 * frames are first box-averaged down by a whole factor, here to about 96 px on the short side: SSIM
 * at 512x384 costs ~110 ms a pair, which would cost more than the rest of a toy-model animation.
 */
import { ssim } from '../core/budget/ssim.js';
import type { RgbImage } from '../core/image.js';

/** Averages factor x factor blocks (the edge remainder is dropped). */
function boxDown(image: RgbImage, factor: number): RgbImage {
  if (factor <= 1) return image;
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const out = new Uint8Array(width * height * 3);
  const n = factor * factor;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = 0; dy < factor; dy++) {
          const row = ((y * factor + dy) * image.width + x * factor) * 3 + c;
          for (let dx = 0; dx < factor; dx++) sum += image.data[row + dx * 3]!;
        }
        out[(y * width + x) * 3 + c] = Math.round(sum / n);
      }
    }
  }
  return { width, height, data: out };
}

export class FrameConsistency {
  private previous: RgbImage | undefined;
  private sum = 0;
  private pairs = 0;

  /** @param shortSide frames are measured at about this many pixels on their short side (default 96). */
  constructor(private readonly shortSide = 96) {}

  /** Adds the next frame of the clip. */
  add(frame: RgbImage): void {
    const small = boxDown(frame, Math.max(1, Math.round(Math.min(frame.width, frame.height) / this.shortSide)));
    if (this.previous) {
      this.sum += ssim(this.previous, small);
      this.pairs++;
    }
    this.previous = small;
  }

  /** Mean SSIM over consecutive pairs; 1 for a clip of one frame. */
  get mean(): number {
    return this.pairs === 0 ? 1 : this.sum / this.pairs;
  }

  get pairCount(): number {
    return this.pairs;
  }
}
