/**
 * Test helper: the exact denoiser of a 1-D Gaussian data distribution N(mu, s^2). For data x0 ~
 * N(mu, s^2) and x_t = sqrt(a) x0 + sqrt(1-a) eps, E[x0 | x_t] = mu + sqrt(a) s^2 / (a s^2 + 1 - a)
 * (x_t - sqrt(a) mu), so the ideal network outputs eps = (x_t - sqrt(a) x0hat) / sqrt(1-a) (or
 * v = sqrt(a) eps - sqrt(1-a) x0hat). Used to check that schedulers sample the right distribution.
 */
import { alphasCumprod, makeBetas, trainingSigmas } from '../src/core/schedulers/betas.js';
import type { PredictionType } from '../src/core/schedulers/config.js';

export const SD_BETAS = { numTrainTimesteps: 1000, betaStart: 0.00085, betaEnd: 0.012, betaSchedule: 'scaled_linear' } as const;

export class GaussianDenoiser {
  private readonly logSigmas: Float64Array;
  constructor(
    readonly mu: number,
    readonly s: number,
    readonly prediction: PredictionType = 'epsilon',
  ) {
    this.logSigmas = trainingSigmas(alphasCumprod(makeBetas(SD_BETAS))).map(Math.log);
  }

  /** alpha_bar at a possibly fractional timestep (sigma interpolated in log space, like a UNet would "see"). */
  alphaAt(t: number): number {
    const i = Math.min(Math.max(Math.floor(t), 0), this.logSigmas.length - 2);
    const w = t - i;
    const sigma = Math.exp(this.logSigmas[i] + w * (this.logSigmas[i + 1] - this.logSigmas[i]));
    return 1 / (1 + sigma * sigma);
  }

  /** The model output for UNet input `x` (alpha space) at timestep `t`. */
  predict(x: Float32Array, t: number): Float32Array {
    const a = this.alphaAt(t);
    const sa = Math.sqrt(a);
    const sb = Math.sqrt(1 - a);
    const gain = (sa * this.s * this.s) / (a * this.s * this.s + 1 - a);
    return x.map((xi) => {
      const x0 = this.mu + gain * (xi - sa * this.mu);
      const eps = (xi - sa * x0) / sb;
      return this.prediction === 'epsilon' ? eps : sa * eps - sb * x0;
    });
  }
}

export function mean(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i];
  return m / x.length;
}

export function std(x: ArrayLike<number>): number {
  const m = mean(x);
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i] - m) ** 2;
  return Math.sqrt(v / x.length);
}

export function rms(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i] - b[i]) ** 2;
  return Math.sqrt(v / a.length);
}

/**
 * The exact consistency function of the same Gaussian (the probability-flow ODE's endpoint:
 * x0 = mu + s (x_t - sqrt(a) mu) / sqrt(a s^2 + 1 - a)), expressed as the epsilon an LCM's UNet
 * would output given c_skip/c_out at t * 10 (sigma_data 0.5).
 */
export function consistencyEps(model: GaussianDenoiser, x: Float32Array, t: number): Float32Array {
  const a = model.alphaAt(t);
  const ts = t * 10;
  const cSkip = 0.25 / (ts * ts + 0.25);
  const cOut = ts / Math.sqrt(ts * ts + 0.25);
  return x.map((xi) => {
    const f = model.mu + (model.s * (xi - Math.sqrt(a) * model.mu)) / Math.sqrt(a * model.s ** 2 + 1 - a);
    const x0 = (f - cSkip * xi) / cOut;
    return (xi - Math.sqrt(a) * x0) / Math.sqrt(1 - a);
  });
}
