/**
 * The numbers that define Taleframe's toy diffusion model, shared by the ONNX graph builders and the
 * TypeScript reference (toy-reference.ts) so both compute the same function. The toy data distribution
 * for a prompt is a Gaussian N(mu(prompt), C(prompt)) in latent space; mu is a smooth picture made of
 * a separable cosine basis (DCT-II style, frequencies 0..K-1 per axis, amplitude ~ 1/(1 + kx + ky)),
 * the covariance is broad (s_lo) in the low-frequency DCT band and narrow (s_hi) above it (LO_FREQS),
 * whose coefficients are a fixed random projection of the prompt direction pooled_n. As with real CLIP
 * encoders, encodings of unrelated prompts are far from orthogonal: pooled_n is the direction of
 * (sum of token states + a fixed shared vector of norm COMMON_NORM), so mu(prompt) = cos(theta) mu_common
 * + a prompt-specific part of size sin(theta) (about 0.6-0.85 for scene prompts, less for short ones)
 * and mu(pos) - mu(neg) is smaller than |mu|. Generic tokens (negative-prompt words, punctuation;
 * generic-tokens.ts) add almost nothing to the sum, and prompts near the shared direction get a broad
 * spread (SPREAD_GENERIC, SPREAD_HI_GENERIC): with CFG that makes the negative's Gaussian the broader one, so guidance 7.5
 * pushes away from it instead of extrapolating 7.5x between two equally confident pictures.
 * All weights come from SeededRandom with fixed seeds, so every build writes the same bytes.
 */
import { SeededRandom } from '../core/random.js';

/** Width of the toy text embedding (last_hidden_state is [B, S, TOY_DIM]). */
export const TOY_DIM = 64;
/** Cosine frequencies per axis in the mean image (K). */
export const BASIS_FREQS = 5;
/** Latent channels. */
export const LATENT_CHANNELS = 4;
/** SD1's VAE scaling factor; the toy VAE is built so the pipeline's scaling is exact. */
export const SCALING_FACTOR = 0.18215;
/**
 * The covariance is structured but diagonal in the orthonormal separable DCT-II basis of the latent grid
 * (per channel): C = sum_{ky,kx < LO_FREQS} lambda_k phi_k phi_k^T + s_hi^2 (I - P_lo), phi_k the
 * normalised cosine rows sqrt(c_k / n) cos(pi k (i + .5) / n) (c_0 = 1, c_k = 2), P_lo their projector.
 * In the low band the picture varies like s_lo LO_AMP sum_k z_k cos cos, z_k ~ N(0, 1): the same
 * unnormalised cosines mu is made of, so lambda_k = s_lo^2 LO_AMP^2 (n_y / c_ky)(n_x / c_kx) and the
 * per-pixel statistics do not depend on the latent size (LO_AMP = 1/3 makes the per-pixel low-band std
 * about s_lo: sum_k cos^2 cos^2 averages (1 + (K - 1) / 2)^2 = 9). Real image distributions are broad in
 * low spatial frequencies and narrow in high ones; a white spread upsampled x8 looks like grain.
 */
export const LO_FREQS = 5;
export const LO_AMP = 1 / 3;
/**
 * Per-prompt low-band spread s_lo of specific prompts. Broad, so seeds change the composition, but below
 * the unconditional's 1: with CFG each DCT coefficient relaxes to the product p_c^g p_u^(1 - g), whose
 * deviation scales by about (s_c / s_u)^(g - 1) and whose mean is mu_c g / (g - (g - 1) (s_c / s_u)^2).
 * A Gaussian cannot keep both variety and a tame mean at g = 7.5: 0.7-0.9 keeps 10-50 % of the variety
 * and moves the mean by 2-4.6x (MEAN_GAIN is sized for that). The range also spreads the step budgets.
 */
export const SPREAD_LO_MIN = 0.7;
export const SPREAD_LO_MAX = 0.9;
/**
 * High-band spread s_hi, the same for every prompt, "" and negatives included. Small, so no grain; the
 * same for all, because natural pictures are smooth whatever their prompt: a real UNet's cond and
 * uncond predictions agree on fine detail, so CFG leaves it alone. With prompt-dependent s_hi the
 * extrapolation eps_u + g (eps_c - eps_u) makes the high band stiff (x0 gain k_u + g (k_c - k_u) << 0)
 * and Euler, DPM++ and few-step img2img blow noise up into grain.
 */
export const SPREAD_HI = 0.02;
/** Back-compat names: the spread range of specific prompts is the low band's. */
export const SPREAD_MIN = SPREAD_LO_MIN;
export const SPREAD_MAX = SPREAD_LO_MAX;
/**
 * Low-band spread of the unconditional (empty-prompt) distribution, the unit variance of SD's
 * scaled latents. With CFG, eps_u + g (eps_c - eps_u), late steps (sigma << s) relax x0 toward the fixed
 * point mu_c (g / s_c^2) / (g / s_c^2 - (g - 1) / s_u^2) per DCT coefficient: tame when s_u > s_c, g mu_c
 * (or divergence) when s_u <= s_c. A broad unconditional keeps guidance 7.5 pictures in range.
 */
export const SPREAD_UNCOND = 1;
/** s_lo = SPREAD_LO_MIN + (SPREAD_LO_MAX - SPREAD_LO_MIN) sigmoid(SPREAD_GAIN spreadDir . pooled_n). */
export const SPREAD_GAIN = 16;
/**
 * Low-band spread of a generic prompt (one near the shared direction, e.g. "text, watermark, blurry").
 * With CFG the late-step fixed point is (w_n mu_n + w_p mu_p) / (w_n + w_p), w_p = g / s_p^2,
 * w_n = (1 - g) / s_n^2 per DCT coefficient, and the sample's deviation scales by s_p (s_p / s_n)^(g - 1).
 * A negative broader than the positive keeps it tame (the picture moves by w_n / (w_n + w_p)
 * (mu_n - mu_p), away from the negative); a narrower one blows up. The generic spread equals the
 * unconditional one. (The high band has one spread for every prompt: SPREAD_HI.)
 */
export const SPREAD_GENERIC = 1;
/**
 * Genericness of a prompt: exp(-(q / SPECIFICITY_SCALE)^2) with q = |pooled_n|^2 - (commonDir . pooled_n)^2
 * = sin^2(theta), its prompt-specific energy. Generic-word prompts have q < 0.01 (genericness 1), a
 * generic list with one content word ("text, watermark, extra limbs, deformed hands") 0.13 (0.83),
 * "a red fox" 0.34 (0.28), scene prompts 0.45-0.8 (< 0.1).
 */
export const SPECIFICITY_SCALE = 0.3;
/**
 * Norm of the shared vector added to the summed token states (token rows have norm about sqrt(TOY_DIM)):
 * for n content tokens, sin^2(theta) ~ n / (n + (COMMON_NORM / sqrt(TOY_DIM))^2).
 */
export const COMMON_NORM = 3 * Math.sqrt(TOY_DIM);
/** Scale of generic tokens' embedding rows (content tokens: 1), see generic-tokens.ts. */
export const GENERIC_TOKEN_SCALE = 0.1;
/** Softens the "is there any prompt" test: r = |sum| / sqrt(|sum|^2 + NORM_EPS^2), so "" gives 0. */
export const NORM_EPS = 1e-4;
/**
 * Overall amplitude of the mean image. Guidance 7.5 moves the mean by 2-4.6x (SPREAD_LO_MIN), so mean
 * latents alone decode to about [-0.35, 0.35] and guided pictures to about [-0.9, 0.9], leaving headroom
 * for the push a negative prompt gives (decoded values clipped at 0/255 stay under ~5%).
 */
export const MEAN_GAIN = 0.2;
export const TRAIN_TIMESTEPS = 1000;
export const BETA_START = 0.00085;
export const BETA_END = 0.012;

/**
 * Latent -> RGB map applied to scaled latents x0 (rows R, G, B; columns latent channels): channel 0 is
 * brightness, 1 warm red, 2 green, 3 blue. The VAE decoder multiplies by SCALING_FACTOR first, so
 * decoder(x0 / SCALING_FACTOR) = LATENT_TO_RGB x0.
 */
export const LATENT_TO_RGB: readonly number[][] = [
  [0.45, 0.5, -0.2, -0.15],
  [0.45, 0.1, 0.45, -0.05],
  [0.45, -0.35, -0.15, 0.5],
];

/** Moore-Penrose pseudo-inverse of LATENT_TO_RGB (4x3): M^T (M M^T)^-1, since M has full row rank. */
export function rgbToLatent(): number[][] {
  const m = LATENT_TO_RGB;
  const mmt = [0, 1, 2].map((i) => [0, 1, 2].map((j) => m[i].reduce((acc, v, k) => acc + v * m[j][k], 0)));
  const inv = invert3(mmt);
  return [0, 1, 2, 3].map((k) => [0, 1, 2].map((j) => [0, 1, 2].reduce((acc, i) => acc + m[i][k] * inv[i][j], 0)));
}

function invert3(a: number[][]): number[][] {
  const [[a0, a1, a2], [b0, b1, b2], [c0, c1, c2]] = a;
  const det = a0 * (b1 * c2 - b2 * c1) - a1 * (b0 * c2 - b2 * c0) + a2 * (b0 * c1 - b1 * c0);
  const cof = [
    [b1 * c2 - b2 * c1, a2 * c1 - a1 * c2, a1 * b2 - a2 * b1],
    [b2 * c0 - b0 * c2, a0 * c2 - a2 * c0, a2 * b0 - a0 * b2],
    [b0 * c1 - b1 * c0, a1 * c0 - a0 * c1, a0 * b1 - a1 * b0],
  ];
  return cof.map((row) => row.map((v) => v / det));
}

/** alphas_cumprod for scaled_linear betas: beta = linspace(sqrt(0.00085), sqrt(0.012), 1000)^2. */
export function alphasCumprod(): Float64Array {
  const out = new Float64Array(TRAIN_TIMESTEPS);
  const lo = Math.sqrt(BETA_START);
  const hi = Math.sqrt(BETA_END);
  let prod = 1;
  for (let t = 0; t < TRAIN_TIMESTEPS; t++) {
    const b = (lo + ((hi - lo) * t) / (TRAIN_TIMESTEPS - 1)) ** 2;
    prod *= 1 - b;
    out[t] = prod;
  }
  return out;
}

/** Karras sigmas per train timestep: sigma_t = sqrt((1 - a_t) / a_t). */
export function trainSigmas(): Float64Array {
  return alphasCumprod().map((a) => Math.sqrt((1 - a) / a));
}

/** Amplitude of basis function (ky, kx): 1/f falloff with f = 1 + kx + ky. */
export function basisAmplitude(ky: number, kx: number): number {
  return MEAN_GAIN / (1 + kx + ky);
}

export interface ToyWeights {
  /** [V, D] token embeddings, seeded, generic rows scaled by GENERIC_TOKEN_SCALE; BOS and EOS (= pad) rows are zero. */
  embedding: Float32Array;
  /** [D, 4*K*K] pooled_n -> mean coefficients, amplitude already folded in (index c*K*K + ky*K + kx). */
  projection: Float32Array;
  /** [D] direction whose dot with pooled_n sets the spread. */
  spreadDir: Float32Array;
  /** [D] unit direction of the shared vector (COMMON_NORM commonDir), orthogonal to spreadDir. */
  commonDir: Float32Array;
}

/**
 * The seeded weights for a vocabulary of `vocabSize` tokens whose last two ids are BOS and EOS.
 * `genericIds` (generic-tokens.ts) only shapes the text encoder's table; the UNet-side weights
 * (projection, spreadDir, commonDir) depend on nothing but the seeds.
 */
export function toyWeights(vocabSize: number, genericIds: ReadonlySet<number> = new Set()): ToyWeights {
  const embedding = new SeededRandom(0x7a1e_0001).take(vocabSize * TOY_DIM);
  for (const v of genericIds) {
    if (v < vocabSize - 2) for (let d = 0; d < TOY_DIM; d++) embedding[v * TOY_DIM + d] *= GENERIC_TOKEN_SCALE;
  }
  embedding.fill(0, (vocabSize - 2) * TOY_DIM);
  const k2 = BASIS_FREQS * BASIS_FREQS;
  const cols = LATENT_CHANNELS * k2;
  const projection = new SeededRandom(0x7a1e_0002).take(TOY_DIM * cols);
  for (let d = 0; d < TOY_DIM; d++) {
    for (let col = 0; col < cols; col++) {
      const ky = Math.floor((col % k2) / BASIS_FREQS);
      const kx = col % BASIS_FREQS;
      // pooled_n is a unit vector, so each coefficient is ~N(0, amplitude^2) across prompts.
      projection[d * cols + col] *= basisAmplitude(ky, kx);
    }
  }
  return { embedding, projection, spreadDir: spreadDirection(), commonDir: commonDirection() };
}

/** The seeded unit direction whose dot with pooled_n sets s_prompt. */
export function spreadDirection(): Float32Array {
  return unit(new SeededRandom(0x7a1e_0003).take(TOY_DIM));
}

/** The shared direction: seeded, then made orthogonal to spreadDir so s_prompt reads only the specific part. */
export function commonDirection(): Float32Array {
  const spreadDir = spreadDirection();
  const common = new SeededRandom(0x7a1e_0004).take(TOY_DIM);
  const along = common.reduce((acc, v, d) => acc + v * spreadDir[d], 0);
  return unit(common.map((v, d) => v - along * spreadDir[d]));
}

function unit(v: Float32Array): Float32Array {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}
