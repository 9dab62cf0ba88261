/**
 * Frame consistency of a clip: the mean SSIM between each frame and the next. Gen-1 reports the mean
 * CLIP cosine between consecutive frames; without a CLIP model SSIM on luma is the honest stand-in
 * (REFERENCE.md section 8). 1 means nothing changes between frames; flicker and jumps pull it down.
 * Fed one frame at a time so long clips never have to sit in memory.
 */
import { ssim } from '../core/budget/ssim.js';
import type { RgbImage } from '../core/image.js';

export class FrameConsistency {
  private previous: RgbImage | undefined;
  private sum = 0;
  private pairs = 0;

  /** Adds the next frame of the clip. */
  add(frame: RgbImage): void {
    if (this.previous) {
      this.sum += ssim(this.previous, frame);
      this.pairs++;
    }
    this.previous = frame;
  }

  /** Mean SSIM over consecutive pairs; 1 for a clip of one frame. */
  get mean(): number {
    return this.pairs === 0 ? 1 : this.sum / this.pairs;
  }

  get pairCount(): number {
    return this.pairs;
  }
}
