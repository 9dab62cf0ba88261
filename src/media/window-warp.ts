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
  // Per column and per row: the two source pixels and the weight, computed once, not per pixel.
  const cols = lookups(w, to.x, to.width, from.x, from.width);
  const rows = lookups(h, to.y, to.height, from.y, from.height);
  for (let v = 0; v < h; v++) {
    if (!rows.ok[v]) continue;
    const r0 = rows.i0[v]! * w;
    const r1 = rows.i1[v]! * w;
    const fy = rows.f[v]!;
    for (let u = 0; u < w; u++) {
      if (!cols.ok[u]) continue;
      const fx = cols.f[u]!;
      const p00 = (r0 + cols.i0[u]!) * 3;
      const p01 = (r0 + cols.i1[u]!) * 3;
      const p10 = (r1 + cols.i0[u]!) * 3;
      const p11 = (r1 + cols.i1[u]!) * 3;
      const o = (v * w + u) * 3;
      for (let c = 0; c < 3; c++) {
        const top = src[p00 + c]! + (src[p01 + c]! - src[p00 + c]!) * fx;
        const bottom = src[p10 + c]! + (src[p11 + c]! - src[p10 + c]!) * fx;
        out[o + c] = top + (bottom - top) * fy + 0.5; // Uint8Array truncates: + 0.5 rounds
      }
      valid[v * w + u] = 1;
    }
  }
  return { image: { width: w, height: h, data: out }, valid };
}

/**
 * For each of n output pixels along one axis of window `to`: the source pixels i0, i1 and the weight f
 * of i1 in window `from`, and whether the sample falls inside `from` at all.
 */
function lookups(n: number, toStart: number, toSize: number, fromStart: number, fromSize: number) {
  const i0 = new Int32Array(n);
  const i1 = new Int32Array(n);
  const f = new Float64Array(n);
  const ok = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    // Panel coordinate of the pixel centre in `to`, expressed in `from` pixels.
    const s = ((toStart + ((k + 0.5) / n) * toSize - fromStart) / fromSize) * n - 0.5;
    if (s < -0.5 || s > n - 0.5) continue;
    const a = Math.max(0, Math.min(n - 1, Math.floor(s)));
    i0[k] = a;
    i1[k] = Math.min(n - 1, a + 1);
    f[k] = Math.max(0, Math.min(1, s - a));
    ok[k] = 1;
  }
  return { i0, i1, f, ok };
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
      out[i] = va || vb ? a.image.data[i]! * wa + b.image.data[i]! * wb + 0.5 : plain.data[i]!;
    }
  }
  return { width: plain.width, height: plain.height, data: out };
}
