/**
 * The toy UNet's closed form in plain TypeScript (float64), the yardstick the ONNX graphs are tested
 * against. Data is x0 ~ N(mu, C) with C diagonal in the orthonormal separable DCT-II basis phi_k of the
 * latent grid: variance lambda_k = s_lo^2 LO_AMP^2 (n_y / c_ky)(n_x / c_kx) on the low band (ky, kx <
 * LO_FREQS, projector P_lo) and s_hi^2 on the rest (toy-spec.ts). For the forward process
 * x_t = sqrt(a) x0 + sqrt(1 - a) eps (DDPM eq. 4) the posterior mean is the exact denoiser (Tweedie /
 * Gaussian conditioning), one gain per eigenvalue: with r = x_t - sqrt(a) mu and
 * k(lambda) = sqrt(a) lambda / (a lambda + 1 - a),
 *   x0_hat = mu + k(s_hi^2) r + sum_{k in low band} (k(lambda_k) - k(s_hi^2)) phi_k (phi_k . r),
 *   eps    = (x_t - sqrt(a) x0_hat) / sqrt(1 - a),      v = sqrt(a) eps - sqrt(1 - a) x0_hat.
 * a comes from sigma(t) interpolated linearly between floor(t) and ceil(t) (as diffusers' Euler does for
 * fractional timesteps), a = 1 / (1 + sigma^2).
 */
import {
  BASIS_FREQS, COMMON_NORM, commonDirection, LATENT_CHANNELS, LO_AMP, LO_FREQS, NORM_EPS, SPECIFICITY_SCALE, SPREAD_GAIN, SPREAD_GENERIC,
  SPREAD_HI, SPREAD_LO_MAX, SPREAD_LO_MIN, SPREAD_UNCOND, TOY_DIM, TRAIN_TIMESTEPS, trainSigmas,
  type ToyWeights,
} from './toy-spec.js';

export type ToyPrediction = 'epsilon' | 'v_prediction';

const COMMON = commonDirection();

/**
 * pooled_n for one batch item: u = sum_s(hidden) + COMMON_NORM commonDir (the shared vector every
 * prompt encoding carries), pooled_n = r u / |u| with r = |sum| / sqrt(|sum|^2 + NORM_EPS^2), which is
 * 1 for any non-empty prompt and 0 for "" (its BOS/EOS/pad rows are zero). The sum, not the mean, so
 * padding and extra 77-token windows change nothing.
 */
export function pooledDirection(hidden: Float32Array, seqLen: number, item = 0): Float64Array {
  const sum = new Float64Array(TOY_DIM);
  const base = item * seqLen * TOY_DIM;
  for (let s = 0; s < seqLen; s++) {
    for (let d = 0; d < TOY_DIM; d++) sum[d] += hidden[base + s * TOY_DIM + d];
  }
  const sumNorm2 = sum.reduce((acc, v) => acc + v * v, 0);
  const r = Math.sqrt(sumNorm2 / (sumNorm2 + NORM_EPS * NORM_EPS));
  const u = sum.map((v, d) => v + COMMON_NORM * COMMON[d]);
  const uNorm = Math.sqrt(u.reduce((acc, v) => acc + v * v, 0));
  return u.map((v) => (r * v) / uNorm);
}

/** The prompt's mean latent mu [4, h, w]: coefficients c = pooled_n . P on a cosine basis. */
export function toyMean(weights: ToyWeights, pooledN: Float64Array, h: number, w: number): Float64Array {
  const k2 = BASIS_FREQS * BASIS_FREQS;
  const cols = LATENT_CHANNELS * k2;
  const coef = new Float64Array(cols);
  for (let d = 0; d < TOY_DIM; d++) {
    for (let col = 0; col < cols; col++) coef[col] += pooledN[d] * weights.projection[d * cols + col];
  }
  // Basis value cos(pi k (i + 0.5) / n): DCT-II sampling, the same at any resolution.
  const cy = (k: number, i: number) => Math.cos((Math.PI * k * (i + 0.5)) / h);
  const cx = (k: number, j: number) => Math.cos((Math.PI * k * (j + 0.5)) / w);
  const mu = new Float64Array(LATENT_CHANNELS * h * w);
  for (let c = 0; c < LATENT_CHANNELS; c++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        let acc = 0;
        for (let ky = 0; ky < BASIS_FREQS; ky++) {
          for (let kx = 0; kx < BASIS_FREQS; kx++) acc += coef[c * k2 + ky * BASIS_FREQS + kx] * cy(ky, i) * cx(kx, j);
        }
        mu[(c * h + i) * w + j] = acc;
      }
    }
  }
  return mu;
}

/**
 * The prompt's two spreads (low band s_lo, high band s_hi), each in three parts:
 *   s_prompt = MIN + (MAX - MIN) sigmoid(SPREAD_GAIN spreadDir . pooled_n)   (per band's MIN, MAX);
 *   s_cond   = s_prompt + e (GENERIC - s_prompt), genericness e = exp(-(q / SPECIFICITY_SCALE)^2) with
 *              q = |pooled_n|^2 - (commonDir . pooled_n)^2, the prompt-specific energy: prompts near
 *              the shared direction ("text, watermark, blurry") are broad, content prompts keep s_prompt;
 *   s        = S_u + r (s_cond - S_u), r = |pooled_n| (1 for any non-empty prompt,
 *              0 for ""), so the unconditional distribution is the broadest one (s = 1 in both bands).
 * Broad generic and unconditional spreads are what keep classifier-free guidance from running away
 * with S_u = SPREAD_UNCOND, for the low band; the high band's s_hi = SPREAD_HI for every prompt (see
 * toy-spec.ts, SPREAD_UNCOND, SPREAD_GENERIC and SPREAD_HI).
 */
export function toySpreads(weights: ToyWeights, pooledN: Float64Array): { lo: number; hi: number } {
  let z = 0;
  let c = 0;
  let r2 = 0;
  for (let d = 0; d < TOY_DIM; d++) {
    z += weights.spreadDir[d] * pooledN[d];
    c += weights.commonDir[d] * pooledN[d];
    r2 += pooledN[d] * pooledN[d];
  }
  const sig = 1 / (1 + Math.exp(-SPREAD_GAIN * z));
  const q = (r2 - c * c) / SPECIFICITY_SCALE;
  const generic = Math.exp(-q * q);
  const sPrompt = SPREAD_LO_MIN + (SPREAD_LO_MAX - SPREAD_LO_MIN) * sig;
  const sCond = sPrompt + generic * (SPREAD_GENERIC - sPrompt);
  return { lo: SPREAD_UNCOND + Math.sqrt(r2) * (sCond - SPREAD_UNCOND), hi: SPREAD_HI };
}

/** The low-band spread s_lo (the one that sets how much seeds change the picture). */
export function toySpread(weights: ToyWeights, pooledN: Float64Array): number {
  return toySpreads(weights, pooledN).lo;
}

/**
 * Orthonormal DCT-II rows on n points, [LO_FREQS, n]: sqrt(c_k / n) cos(pi k (i + .5) / n), c_0 = 1,
 * c_k = 2; rows k >= n (a grid smaller than the band) are zero, since they alias onto lower ones.
 */
export function dctRows(n: number): Float64Array {
  const out = new Float64Array(LO_FREQS * n);
  for (let k = 0; k < Math.min(LO_FREQS, n); k++) {
    const norm = Math.sqrt((k === 0 ? 1 : 2) / n);
    for (let i = 0; i < n; i++) out[k * n + i] = norm * Math.cos((Math.PI * k * (i + 0.5)) / n);
  }
  return out;
}

/** Low-band eigenvalues lambda[ky, kx] = s_lo^2 LO_AMP^2 (n_y / c_ky)(n_x / c_kx), [LO_FREQS^2]. */
export function lowBandVariances(sLo: number, h: number, w: number): Float64Array {
  const K = LO_FREQS;
  const out = new Float64Array(K * K);
  for (let ky = 0; ky < K; ky++) {
    for (let kx = 0; kx < K; kx++) out[ky * K + kx] = sLo * sLo * LO_AMP * LO_AMP * (h / (ky === 0 ? 1 : 2)) * (w / (kx === 0 ? 1 : 2));
  }
  return out;
}

/**
 * Applies a per-coefficient factor in the low band to one channel plane [h, w]: returns
 * sum_k f[k] phi_k (phi_k . plane) (the low band of `plane`, each DCT coefficient scaled by f[k]).
 */
export function scaleLowBand(plane: ArrayLike<number>, h: number, w: number, f: ArrayLike<number>): Float64Array {
  const K = LO_FREQS;
  const by = dctRows(h);
  const bx = dctRows(w);
  const coef = new Float64Array(K * K);
  for (let ky = 0; ky < K; ky++) {
    for (let kx = 0; kx < K; kx++) {
      let acc = 0;
      for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) acc += by[ky * h + i] * plane[i * w + j] * bx[kx * w + j];
      coef[ky * K + kx] = acc * f[ky * K + kx];
    }
  }
  const out = new Float64Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      let acc = 0;
      for (let ky = 0; ky < K; ky++) for (let kx = 0; kx < K; kx++) acc += by[ky * h + i] * coef[ky * K + kx] * bx[kx * w + j];
      out[i * w + j] = acc;
    }
  }
  return out;
}

/** sigma(t) for a possibly fractional train timestep, clamped to [0, T-1]. */
export function sigmaAt(t: number, sigmas: Float64Array = trainSigmas()): number {
  const tc = Math.min(Math.max(t, 0), TRAIN_TIMESTEPS - 1);
  const lo = Math.floor(tc);
  const hi = Math.ceil(tc);
  return sigmas[lo] + (tc - lo) * (sigmas[hi] - sigmas[lo]);
}

/** The exact posterior-mean x0_hat for one batch item (x [4,h,w]), and the model output. */
export function toyDenoise(
  weights: ToyWeights, x: ArrayLike<number>, h: number, w: number, t: number, pooledN: Float64Array,
  prediction: ToyPrediction = 'epsilon', inpaint?: { mask: ArrayLike<number>; maskedLatents: ArrayLike<number> },
): { x0: Float64Array; output: Float64Array } {
  const mu = toyMean(weights, pooledN, h, w);
  const { lo, hi } = toySpreads(weights, pooledN);
  const sigma = sigmaAt(t);
  const a = 1 / (1 + sigma * sigma);
  const sa = Math.sqrt(a);
  const s1a = sigma * sa; // sqrt(1 - a), computed without cancellation
  const gain = (lambda: number) => (sa * lambda) / (a * lambda + s1a * s1a);
  const gainHi = gain(hi * hi);
  const diff = lowBandVariances(lo, h, w).map((lambda) => gain(lambda) - gainHi);
  const x0 = new Float64Array(mu.length);
  const output = new Float64Array(mu.length);
  const plane = h * w;
  for (let c = 0; c < LATENT_CHANNELS; c++) {
    const r = Float64Array.from({ length: plane }, (_, i) => x[c * plane + i] - sa * mu[c * plane + i]);
    const low = scaleLowBand(r, h, w, diff);
    for (let p = 0; p < plane; p++) {
      const i = c * plane + p;
      let x0i = mu[i] + gainHi * r[p] + low[p];
      if (inpaint) {
        const m = inpaint.mask[p];
        x0i = m * x0i + (1 - m) * inpaint.maskedLatents[i];
      }
      const eps = (x[i] - sa * x0i) / s1a;
      x0[i] = x0i;
      output[i] = prediction === 'epsilon' ? eps : sa * eps - s1a * x0i;
    }
  }
  return { x0, output };
}
