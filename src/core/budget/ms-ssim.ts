/**
 * Multi-scale SSIM (Wang, Simoncelli, Bovik, "Multi-scale structural similarity for image quality
 * assessment", Asilomar 2003), a second reference metric for step budgets: it weighs coarse structure
 * as well as fine detail, so an image whose layout is settled but whose texture still moves scores
 * higher than under single-scale SSIM.
 *
 * MS-SSIM = [l_M]^a_M * prod_{j=1..M} [cs_j]^b_j (eq. 7), with the paper's weights
 * b = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333) and the luminance term only at the coarsest scale M.
 * As in the authors' msssim.m, the coarsest factor is the full mean SSIM (l_M * cs_M together), and
 * each next scale is a 2x2 average followed by 2x decimation.
 *
 * Small images: a scale needs at least one 11x11 window, so a 64x64 render supports 3 scales
 * (64, 32, 16), not 5. We then use the first M weights renormalised to sum to 1, which keeps the score
 * in [0, 1] and keeps MS-SSIM(x, x) = 1. Negative cs or SSIM values (anti-correlated structure) are
 * clamped to 0 before the fractional powers, as TensorFlow's tf.image.ssim_multiscale does.
 */
import type { RgbImage } from '../image.js';
import { ssimPlanes, toLuma, type LumaPlane, type SsimOptions } from './ssim.js';

/** Per-scale exponents from Wang, Simoncelli, Bovik 2003 (section 3.2). */
export const MS_SSIM_WEIGHTS: readonly number[] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];

export interface MsSsimOptions extends SsimOptions {
  /** Upper bound on the number of scales. Default 5. */
  maxScales?: number;
}

/** 2x2 box average then keep every second sample; odd trailing rows/columns are dropped. */
export function halve(p: LumaPlane): LumaPlane {
  const w = Math.floor(p.width / 2);
  const h = Math.floor(p.height / 2);
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    const r0 = 2 * y * p.width;
    const r1 = r0 + p.width;
    for (let x = 0; x < w; x++) {
      const c = 2 * x;
      out[y * w + x] = (p.data[r0 + c] + p.data[r0 + c + 1] + p.data[r1 + c] + p.data[r1 + c + 1]) / 4;
    }
  }
  return { width: w, height: h, data: out };
}

/** Number of scales an image of this size supports: each scale must still hold one window. */
export function msSsimScales(width: number, height: number, windowSize = 11, maxScales = 5): number {
  let scales = 0;
  let w = width;
  let h = height;
  while (scales < maxScales && w >= windowSize && h >= windowSize) {
    scales++;
    w = Math.floor(w / 2);
    h = Math.floor(h / 2);
  }
  return scales;
}

/**
 * MS-SSIM of two RGB images on luma, in [0, 1]. Uses as many of the 5 scales as the size allows
 * (at least one; throws for images smaller than the window).
 */
export function msSsim(a: RgbImage, b: RgbImage, options: MsSsimOptions = {}): number {
  const windowSize = options.windowSize ?? 11;
  const scales = msSsimScales(a.width, a.height, windowSize, Math.min(options.maxScales ?? 5, 5));
  if (scales === 0) {
    throw new RangeError(`image ${a.width}x${a.height} is smaller than the ${windowSize}x${windowSize} SSIM window`);
  }
  const weights = MS_SSIM_WEIGHTS.slice(0, scales);
  const total = weights.reduce((s, w) => s + w, 0);
  let x = toLuma(a);
  let y = toLuma(b);
  let score = 1;
  for (let j = 0; j < scales; j++) {
    const parts = ssimPlanes(x, y, options);
    const factor = j === scales - 1 ? parts.ssim : parts.cs;
    score *= Math.max(0, factor) ** (weights[j] / total);
    if (j < scales - 1) {
      x = halve(x);
      y = halve(y);
    }
  }
  return score;
}
