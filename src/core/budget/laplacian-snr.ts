/**
 * Laplacian SNR (L-SNR): the no-reference, pixel-level sharpness curve of BudgetFusion (Li, Chen, Su,
 * Sun, arXiv 2412.05780, section 3), which tracks how much crisp detail a render has at each step
 * count. The paper names the metric (a Laplacian-based signal-to-noise ratio) without fixing one
 * formula in the sources we rely on, so Taleframe pins it down as follows, on BT.601 luma Y in [0, 255]:
 *
 *   signal  S = mean over interior pixels of (L4 * Y)^2, with the 4-neighbour Laplacian
 *               L4 = [0 1 0; 1 -4 1; 0 1 0]  (the detail energy; variance-of-Laplacian focus measure,
 *               Pech-Pacheco et al., ICPR 2000);
 *   noise   N = sigma_n^2 from Immerkaer's fast noise estimator (CVIU 64(2), 1996):
 *               sigma_n = sqrt(pi/2) / (6 (W-2)(H-2)) * sum |M * Y|, M = [1 -2 1; -2 4 -2; 1 -2 1],
 *               a difference of two Laplacians that cancels edges and keeps pixel noise;
 *   L-SNR   = 10 log10((S + q) / (N + q)) in dB, q = 1/12 (the variance of 8-bit quantisation), so
 *               flat or noise-free images give finite values.
 *
 * It rises as denoising adds real detail and falls while residual noise dominates. Calibration stores
 * its difference to the reference render (dB), so each prompt's curve ends at 0.
 */
import type { RgbImage } from '../image.js';
import { toLuma, type LumaPlane } from './ssim.js';

/** Variance of uniform rounding to integers: the floor under any 8-bit "noise" estimate. */
const QUANTISATION_VARIANCE = 1 / 12;

export interface LaplacianSnrParts {
  /** Mean squared 4-neighbour Laplacian response. */
  signal: number;
  /** Immerkaer noise variance estimate. */
  noise: number;
  /** 10 log10((signal + q) / (noise + q)). */
  db: number;
}

/** Signal, noise and L-SNR of a luma plane (needs at least 3x3 pixels). */
export function laplacianSnrParts(p: LumaPlane): LaplacianSnrParts {
  const { width: w, height: h, data: y } = p;
  if (w < 3 || h < 3) throw new RangeError(`image ${w}x${h} is too small for a 3x3 Laplacian`);
  let energy = 0;
  let absNoise = 0;
  for (let r = 1; r < h - 1; r++) {
    for (let c = 1; c < w - 1; c++) {
      const i = r * w + c;
      const n = y[i - w];
      const s = y[i + w];
      const e = y[i + 1];
      const wv = y[i - 1];
      const lap = n + s + e + wv - 4 * y[i];
      energy += lap * lap;
      const corners = y[i - w - 1] + y[i - w + 1] + y[i + w - 1] + y[i + w + 1];
      absNoise += Math.abs(corners - 2 * (n + s + e + wv) + 4 * y[i]);
    }
  }
  const count = (w - 2) * (h - 2);
  const sigma = (Math.sqrt(Math.PI / 2) * absNoise) / (6 * count);
  const signal = energy / count;
  const noise = sigma * sigma;
  const db = 10 * Math.log10((signal + QUANTISATION_VARIANCE) / (noise + QUANTISATION_VARIANCE));
  return { signal, noise, db };
}

/**
 * L-SNR of an RGB image in dB (higher = more detail relative to noise).
 * @example laplacianSnr(render) - laplacianSnr(reference) // about 0 once the render has settled
 */
export function laplacianSnr(img: RgbImage): number {
  return laplacianSnrParts(toLuma(img)).db;
}
