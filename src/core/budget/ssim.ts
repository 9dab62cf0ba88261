/**
 * Structural similarity (SSIM) between two renders of the same prompt, used to tell how far an image
 * rendered with few steps is from the reference rendered with many. It follows Wang, Bovik, Sheikh and
 * Simoncelli, "Image quality assessment: from error visibility to structural similarity" (IEEE TIP 2004):
 * luma only, an 11x11 Gaussian window with sigma 1.5 (normalised to sum 1), K1 = 0.01, K2 = 0.03,
 * L = 255, statistics taken over every window that fits inside the image ("valid" filtering, as in the
 * authors' ssim_index.m), and the mean of the SSIM map as the score. Unlike ssim_index.m we do not
 * downsample large images first: budgets are calibrated on small renders where that step is a no-op.
 */
import type { RgbImage } from '../image.js';

/** One channel of float samples, row-major. */
export interface LumaPlane {
  width: number;
  height: number;
  data: Float64Array;
}

export interface SsimOptions {
  /** Side of the Gaussian window in pixels (odd). Default 11. */
  windowSize?: number;
  /** Standard deviation of the Gaussian window. Default 1.5. */
  sigma?: number;
  /** Default 0.01: C1 = (K1 L)^2 stabilises the luminance term (eq. 6). */
  k1?: number;
  /** Default 0.03: C2 = (K2 L)^2 stabilises the contrast term (eq. 9). */
  k2?: number;
  /** Dynamic range L of the samples. Default 255. */
  dynamicRange?: number;
}

/** Mean SSIM and mean contrast-structure term cs = (2 s_xy + C2) / (s_x^2 + s_y^2 + C2) over the map. */
export interface SsimParts {
  ssim: number;
  cs: number;
}

/** ITU-R BT.601 luma Y = 0.299 R + 0.587 G + 0.114 B, kept as floats in [0, 255]. */
export function toLuma(img: RgbImage): LumaPlane {
  const n = img.width * img.height;
  if (img.data.length !== n * 3) {
    throw new RangeError(`image data length ${img.data.length} is not width*height*3 = ${n * 3}`);
  }
  const out = new Float64Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    out[i] = 0.299 * img.data[j] + 0.587 * img.data[j + 1] + 0.114 * img.data[j + 2];
  }
  return { width: img.width, height: img.height, data: out };
}

/** Normalised 1-D Gaussian taps; the 2-D window is their outer product (separable). */
export function gaussianTaps(size: number, sigma: number): Float64Array {
  if (size < 1 || size % 2 === 0) throw new RangeError(`window size ${size} must be a positive odd number`);
  const taps = new Float64Array(size);
  const c = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    taps[i] = Math.exp(-((i - c) ** 2) / (2 * sigma * sigma));
    sum += taps[i];
  }
  for (let i = 0; i < size; i++) taps[i] /= sum;
  return taps;
}

/** Separable "valid" filtering: output is (w - k + 1) x (h - k + 1). */
function filterValid(src: Float64Array, w: number, h: number, taps: Float64Array): Float64Array {
  const k = taps.length;
  const ow = w - k + 1;
  const oh = h - k + 1;
  const rows = new Float64Array(ow * h);
  for (let y = 0; y < h; y++) {
    const base = y * w;
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += taps[t] * src[base + x + t];
      rows[y * ow + x] = s;
    }
  }
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += taps[t] * rows[(y + t) * ow + x];
      out[y * ow + x] = s;
    }
  }
  return out;
}

/**
 * Mean SSIM and mean cs over all window positions, on luma planes. Eq. (13) of Wang et al. 2004 with
 * the Gaussian-weighted local statistics of their section III-B:
 *   SSIM(x, y) = (2 mu_x mu_y + C1)(2 s_xy + C2) / ((mu_x^2 + mu_y^2 + C1)(s_x^2 + s_y^2 + C2)).
 */
export function ssimPlanes(a: LumaPlane, b: LumaPlane, options: SsimOptions = {}): SsimParts {
  const size = options.windowSize ?? 11;
  const sigma = options.sigma ?? 1.5;
  const L = options.dynamicRange ?? 255;
  const c1 = ((options.k1 ?? 0.01) * L) ** 2;
  const c2 = ((options.k2 ?? 0.03) * L) ** 2;
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`images differ in size: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  }
  const { width: w, height: h } = a;
  if (w < size || h < size) {
    throw new RangeError(`image ${w}x${h} is smaller than the ${size}x${size} SSIM window`);
  }
  const taps = gaussianTaps(size, sigma);
  const n = w * h;
  const xx = new Float64Array(n);
  const yy = new Float64Array(n);
  const xy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xx[i] = a.data[i] * a.data[i];
    yy[i] = b.data[i] * b.data[i];
    xy[i] = a.data[i] * b.data[i];
  }
  const muX = filterValid(a.data, w, h, taps);
  const muY = filterValid(b.data, w, h, taps);
  const eXX = filterValid(xx, w, h, taps);
  const eYY = filterValid(yy, w, h, taps);
  const eXY = filterValid(xy, w, h, taps);
  let ssimSum = 0;
  let csSum = 0;
  for (let i = 0; i < muX.length; i++) {
    const mx = muX[i];
    const my = muY[i];
    const vx = eXX[i] - mx * mx;
    const vy = eYY[i] - my * my;
    const cov = eXY[i] - mx * my;
    const cs = (2 * cov + c2) / (vx + vy + c2);
    csSum += cs;
    ssimSum += ((2 * mx * my + c1) / (mx * mx + my * my + c1)) * cs;
  }
  return { ssim: ssimSum / muX.length, cs: csSum / muX.length };
}

/**
 * SSIM of two RGB images on luma, in [-1, 1] (1 = identical). Symmetric in its arguments.
 * @example ssim(render20, render50) // 0.97: a viewer would hardly tell them apart
 */
export function ssim(a: RgbImage, b: RgbImage, options: SsimOptions = {}): number {
  return ssimPlanes(toLuma(a), toLuma(b), options).ssim;
}
