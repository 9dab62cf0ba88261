/**
 * Moves a rendered keyframe to where the camera is in another frame. Both frames are axis-aligned
 * windows onto the same panel (src/core/camera-motion.ts), so the mapping between them is an exact
 * scale and shift: no optical flow is needed. Used to crossfade img2img keyframes with motion
 * compensation, so detail rides along with the camera instead of ghosting. Bilinear sampling keeps
 * sub-pixel moves smooth; pixels the keyframe never saw are marked invalid for the caller to fill.
 */
import type { CropWindow } from '../core/camera-motion.js';
import type { RgbImage } from '../core/image.js';

export interface WarpedFrame {
  image: RgbImage;
  /** 1 where the keyframe covered the pixel, 0 where it did not (image holds 0 there). */
  valid: Uint8Array;
}

/** Re-samples `image` (the view through window `from`) as seen through window `to`. */
export function warpWindow(image: RgbImage, from: CropWindow, to: CropWindow): WarpedFrame {
  const { width: w, height: h } = image;
  const out = new Uint8Array(w * h * 3);
  const valid = new Uint8Array(w * h);
  const src = image.data;
  // Column and row lookups: panel coordinate of the pixel centre in `to`, expressed in `from` pixels.
  const xs = new Float64Array(w);
  for (let u = 0; u < w; u++) xs[u] = ((to.x + ((u + 0.5) / w) * to.width - from.x) / from.width) * w - 0.5;
  const ys = new Float64Array(h);
  for (let v = 0; v < h; v++) ys[v] = ((to.y + ((v + 0.5) / h) * to.height - from.y) / from.height) * h - 0.5;
  for (let v = 0; v < h; v++) {
    const sy = ys[v]!;
    if (sy < -0.5 || sy > h - 0.5) continue;
    const y0 = Math.max(0, Math.min(h - 1, Math.floor(sy)));
    const y1 = Math.min(h - 1, y0 + 1);
    const fy = Math.max(0, Math.min(1, sy - y0));
    for (let u = 0; u < w; u++) {
      const sx = xs[u]!;
      if (sx < -0.5 || sx > w - 0.5) continue;
      const x0 = Math.max(0, Math.min(w - 1, Math.floor(sx)));
      const x1 = Math.min(w - 1, x0 + 1);
      const fx = Math.max(0, Math.min(1, sx - x0));
      const p00 = (y0 * w + x0) * 3;
      const p01 = (y0 * w + x1) * 3;
      const p10 = (y1 * w + x0) * 3;
      const p11 = (y1 * w + x1) * 3;
      const o = (v * w + u) * 3;
      for (let c = 0; c < 3; c++) {
        const top = src[p00 + c]! + (src[p01 + c]! - src[p00 + c]!) * fx;
        const bottom = src[p10 + c]! + (src[p11 + c]! - src[p10 + c]!) * fx;
        out[o + c] = Math.round(top + (bottom - top) * fy);
      }
      valid[v * w + u] = 1;
    }
  }
  return { image: { width: w, height: h, data: out }, valid };
}

/**
 * The frame between two warped keyframes at alpha (0 = all of `a`, 1 = all of `b`); where only one
 * covers a pixel it is used alone, and where neither does the plain camera frame fills in.
 */
export function blendWarped(a: WarpedFrame, b: WarpedFrame, alpha: number, plain: RgbImage): RgbImage {
  const out = new Uint8Array(plain.data.length);
  const n = plain.width * plain.height;
  for (let p = 0; p < n; p++) {
    const va = a.valid[p]!;
    const vb = b.valid[p]!;
    const wa = va && vb ? 1 - alpha : va;
    const wb = va && vb ? alpha : vb;
    for (let c = 0; c < 3; c++) {
      const i = p * 3 + c;
      out[i] = va || vb ? Math.round(a.image.data[i]! * wa + b.image.data[i]! * wb) : plain.data[i]!;
    }
  }
  return { width: plain.width, height: plain.height, data: out };
}
