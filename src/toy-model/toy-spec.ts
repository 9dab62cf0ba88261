/**
 * The numbers that define Taleframe's toy diffusion model, shared by the ONNX graph builders and the
 * TypeScript reference (toy-reference.ts) so both compute the same function. The toy data distribution
 * for a prompt is a Gaussian N(mu(prompt), s(prompt)^2 I) in latent space; mu is a smooth picture made of
 * a separable cosine basis (DCT-II style, frequencies 0..K-1 per axis, amplitude ~ 1/(1 + kx + ky)),
 * whose coefficients are a fixed random projection of the unit-normalized pooled text embedding.
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
/** Range of the per-prompt spread s. */
export const SPREAD_MIN = 0.04;
export const SPREAD_MAX = 0.35;
/**
 * Spread of the unconditional (empty-prompt) distribution, the unit variance of SD's scaled latents.
 * With CFG, eps_u + g (eps_c - eps_u), late steps (sigma << s) relax x0 toward the fixed point
 * mu_c (g / s_c^2) / (g / s_c^2 - (g - 1) / s_u^2): about mu_c when s_u >> s_c, but g mu_c (or divergence)
 * when s_u <= s_c. A broad unconditional keeps guidance 7.5 pictures in range, as with real models.
 */
export const SPREAD_UNCOND = 1;
/** s = SPREAD_MIN + (SPREAD_MAX - SPREAD_MIN) * sigmoid(SPREAD_GAIN * spreadDir . pooled_n). */
export const SPREAD_GAIN = 16;
/** Softens pooled normalization: pooled_n = pooled / sqrt(|pooled|^2 + NORM_EPS^2), so "" gives 0. */
export const NORM_EPS = 1e-4;
/** Overall amplitude of the mean image (tuned so mean latents decode to about [-1, 1]). */
export const MEAN_GAIN = 0.7;
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
  /** [V, D] token embeddings; BOS and EOS (= pad) rows are zero. */
  embedding: Float32Array;
  /** [D, 4*K*K] pooled_n -> mean coefficients, amplitude already folded in (index c*K*K + ky*K + kx). */
  projection: Float32Array;
  /** [D] direction whose dot with pooled_n sets the spread. */
  spreadDir: Float32Array;
}

/** The seeded weights for a vocabulary of `vocabSize` tokens whose last two ids are BOS and EOS. */
export function toyWeights(vocabSize: number): ToyWeights {
  const embedding = new SeededRandom(0x7a1e_0001).take(vocabSize * TOY_DIM);
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
  const spreadDir = new SeededRandom(0x7a1e_0003).take(TOY_DIM);
  const norm = Math.hypot(...spreadDir);
  spreadDir.forEach((v, i) => (spreadDir[i] = v / norm));
  return { embedding, projection, spreadDir };
}
