/**
 * Noise schedules shared by every scheduler: the training betas (DDPM Ho et al. 2020, eq. (2)) and
 * their cumulative products alpha_bar_t, from which DDIM, PNDM and LCM read the signal level and the
 * sigma-space schedulers (Euler, DPM-Solver++) derive sigma_t = sqrt((1 - alpha_bar_t) / alpha_bar_t).
 *
 * Precision: diffusers builds the betas as float32 torch tensors and multiplies them in float32. We
 * round each beta to float32 (Math.fround) so the inputs are the same numbers, then take the product
 * in float64. The only difference left is diffusers' own float32 rounding in the running product,
 * which moves alpha_bar by a relative ~1e-6 (at most ~1e-5 near t = 999); tests use 1e-4 relative.
 *
 * | code            | paper                          |
 * | --------------- | ------------------------------ |
 * | betas[t]        | beta_t                         |
 * | alphasCumprod[t]| alpha_bar_t = prod_{s<=t}(1-beta_s) |
 * | sigmas[t]       | sigma_t (Karras et al. 2022, VE form) |
 */

/** Which beta schedule to build; names as in diffusers' scheduler_config.json. */
export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';

export interface BetaOptions {
  numTrainTimesteps: number;
  betaStart: number;
  betaEnd: number;
  betaSchedule: BetaSchedule;
  /** When given (diffusers `trained_betas`), used as-is and the other fields are ignored. */
  trainedBetas?: readonly number[];
}

/** Training betas, float32-rounded values held in a Float64Array. */
export function makeBetas(o: BetaOptions): Float64Array {
  const T = o.numTrainTimesteps;
  if (o.trainedBetas) {
    if (o.trainedBetas.length !== T) {
      throw new Error(`trainedBetas has ${o.trainedBetas.length} values but numTrainTimesteps is ${T}`);
    }
    return Float64Array.from(o.trainedBetas, (b) => Math.fround(b));
  }
  const betas = new Float64Array(T);
  switch (o.betaSchedule) {
    case 'linear':
      for (let i = 0; i < T; i++) betas[i] = Math.fround(linspaceAt(o.betaStart, o.betaEnd, T, i));
      break;
    case 'scaled_linear': {
      // Stable Diffusion's schedule: linear in sqrt(beta), then squared (in float32, like torch).
      const a = Math.sqrt(o.betaStart);
      const b = Math.sqrt(o.betaEnd);
      for (let i = 0; i < T; i++) {
        const r = Math.fround(linspaceAt(a, b, T, i));
        betas[i] = Math.fround(r * r);
      }
      break;
    }
    case 'squaredcos_cap_v2':
      // Improved DDPM (Nichol & Dhariwal 2021) eq. (17): alpha_bar(t) = cos^2(((t + s)/(1 + s)) pi/2),
      // s = 0.008, beta_t = min(1 - alpha_bar(t+1)/alpha_bar(t), 0.999).
      for (let i = 0; i < T; i++) {
        const b = 1 - cosineAlphaBar((i + 1) / T) / cosineAlphaBar(i / T);
        betas[i] = Math.fround(Math.min(b, 0.999));
      }
      break;
    default:
      throw new Error(`betaSchedule ${String(o.betaSchedule)} is not supported`);
  }
  return betas;
}

/** alpha_bar_t = prod_{s<=t} (1 - beta_s), DDPM eq. (4) notation. */
export function alphasCumprod(betas: Float64Array): Float64Array {
  const out = new Float64Array(betas.length);
  let p = 1;
  for (let i = 0; i < betas.length; i++) {
    p *= 1 - betas[i];
    out[i] = p;
  }
  return out;
}

/** Training sigmas sigma_t = sqrt((1 - alpha_bar_t) / alpha_bar_t), increasing with t. */
export function trainingSigmas(alphaBar: Float64Array): Float64Array {
  return alphaBar.map((a) => Math.sqrt((1 - a) / a));
}

function cosineAlphaBar(t: number): number {
  return Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
}

/** Element i of numpy/torch linspace(start, stop, n). */
function linspaceAt(start: number, stop: number, n: number, i: number): number {
  if (n === 1) return start;
  if (i === n - 1) return stop;
  return start + i * ((stop - start) / (n - 1));
}
