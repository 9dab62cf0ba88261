/**
 * The toy UNet's closed form in plain TypeScript (float64), the yardstick the ONNX graphs are tested
 * against. For data x0 ~ N(mu, s^2 I) and the forward process x_t = sqrt(a) x0 + sqrt(1 - a) eps
 * (DDPM eq. 4), the posterior mean is the exact denoiser (Tweedie / Gaussian conditioning):
 *   x0_hat = mu + sqrt(a) s^2 / (a s^2 + 1 - a) * (x_t - sqrt(a) mu),
 *   eps    = (x_t - sqrt(a) x0_hat) / sqrt(1 - a),      v = sqrt(a) eps - sqrt(1 - a) x0_hat.
 * a comes from sigma(t) interpolated linearly between floor(t) and ceil(t) (as diffusers' Euler does for
 * fractional timesteps), a = 1 / (1 + sigma^2).
 */
import {
  BASIS_FREQS, COMMON_NORM, commonDirection, LATENT_CHANNELS, NORM_EPS, SPECIFICITY_SCALE, SPREAD_GAIN, SPREAD_GENERIC, SPREAD_MAX, SPREAD_MIN,
  SPREAD_UNCOND, TOY_DIM, TRAIN_TIMESTEPS, trainSigmas, type ToyWeights,
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
 * The prompt's spread s, in three parts:
 *   s_prompt = SPREAD_MIN + (SPREAD_MAX - SPREAD_MIN) sigmoid(SPREAD_GAIN spreadDir . pooled_n);
 *   s_cond   = s_prompt + e (SPREAD_GENERIC - s_prompt), genericness e = exp(-(q / SPECIFICITY_SCALE)^2) with
 *              q = |pooled_n|^2 - (commonDir . pooled_n)^2, the prompt-specific energy: prompts near
 *              the shared direction ("text, watermark, blurry") are broad, content prompts keep s_prompt;
 *   s        = SPREAD_UNCOND + r (s_cond - SPREAD_UNCOND), r = |pooled_n| (1 for any non-empty prompt,
 *              0 for ""), so the unconditional distribution is the broadest one.
 * Broad generic and unconditional spreads are what keep classifier-free guidance from running away
 * (see toy-spec.ts, SPREAD_UNCOND and SPREAD_GENERIC).
 */
export function toySpread(weights: ToyWeights, pooledN: Float64Array): number {
  let z = 0;
  let c = 0;
  let r2 = 0;
  for (let d = 0; d < TOY_DIM; d++) {
    z += weights.spreadDir[d] * pooledN[d];
    c += weights.commonDir[d] * pooledN[d];
    r2 += pooledN[d] * pooledN[d];
  }
  const sPrompt = SPREAD_MIN + (SPREAD_MAX - SPREAD_MIN) / (1 + Math.exp(-SPREAD_GAIN * z));
  const q = (r2 - c * c) / SPECIFICITY_SCALE;
  const generic = Math.exp(-q * q);
  const sCond = sPrompt + generic * (SPREAD_GENERIC - sPrompt);
  return SPREAD_UNCOND + Math.sqrt(r2) * (sCond - SPREAD_UNCOND);
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
  const s2 = toySpread(weights, pooledN) ** 2;
  const sigma = sigmaAt(t);
  const a = 1 / (1 + sigma * sigma);
  const sa = Math.sqrt(a);
  const s1a = sigma * sa; // sqrt(1 - a), computed without cancellation
  const gain = (sa * s2) / (a * s2 + s1a * s1a);
  const x0 = new Float64Array(mu.length);
  const output = new Float64Array(mu.length);
  for (let i = 0; i < mu.length; i++) {
    let x0i = mu[i] + gain * (x[i] - sa * mu[i]);
    if (inpaint) {
      const m = inpaint.mask[i % (h * w)];
      x0i = m * x0i + (1 - m) * inpaint.maskedLatents[i];
    }
    const eps = (x[i] - sa * x0i) / s1a;
    x0[i] = x0i;
    output[i] = prediction === 'epsilon' ? eps : sa * eps - s1a * x0i;
  }
  return { x0, output };
}
