/**
 * "Paint over the draft and send it back": a user marks what to redo by scribbling on a copy of the
 * draft in any image editor. The mask is every pixel that differs strongly from the draft *and*
 * looks like paint (bright or saturated), so JPEG noise from Discord's re-encoding and faint edits
 * are ignored; it is then dilated a little to include the strokes' anti-aliased edges. Pure: the
 * two images must already be the same size (png.ts resizes).
 */
import { createGray, type GrayImage, type RgbImage } from '../core/image.js';

export interface PaintedMaskOptions {
  /** Minimum max-channel difference from the draft (0-255). */
  minDifference?: number;
  /** Paint is at least this bright (max channel) ... */
  minBrightness?: number;
  /** ... or at least this saturated (max - min channel). */
  minSaturation?: number;
  /** Dilation radius in pixels. */
  grow?: number;
}

/** 255 where `painted` was painted over `draft`, else 0. */
export function paintedCopyMask(draft: RgbImage, painted: RgbImage, options: PaintedMaskOptions = {}): GrayImage {
  if (draft.width !== painted.width || draft.height !== painted.height) {
    throw new Error(`The painted copy is ${painted.width}x${painted.height}, but the draft is ${draft.width}x${draft.height}.`);
  }
  const { minDifference = 60, minBrightness = 160, minSaturation = 80, grow = 2 } = options;
  const { width, height } = draft;
  const hit = createGray(width, height);
  for (let p = 0; p < width * height; p++) {
    const i = p * 3;
    const r = painted.data[i];
    const g = painted.data[i + 1];
    const b = painted.data[i + 2];
    const difference = Math.max(Math.abs(r - draft.data[i]), Math.abs(g - draft.data[i + 1]), Math.abs(b - draft.data[i + 2]));
    const max = Math.max(r, g, b);
    const saturation = max - Math.min(r, g, b);
    if (difference >= minDifference && (max >= minBrightness || saturation >= minSaturation)) hit.data[p] = 255;
  }
  return grow > 0 ? dilate(hit, grow) : hit;
}

/** Square dilation of a 0/255 mask (separable max filter). */
export function dilate(mask: GrayImage, radius: number): GrayImage {
  const { width, height } = mask;
  const rows = createGray(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 0;
      for (let k = Math.max(0, x - radius); k <= Math.min(width - 1, x + radius) && v === 0; k++) v = mask.data[y * width + k];
      rows.data[y * width + x] = v;
    }
  }
  const out = createGray(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 0;
      for (let k = Math.max(0, y - radius); k <= Math.min(height - 1, y + radius) && v === 0; k++) v = rows.data[k * width + x];
      out.data[y * width + x] = v;
    }
  }
  return out;
}
