/**
 * DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++", Alg. 2, multistep, data prediction), a port of
 * diffusers' DPMSolverMultistepScheduler with algorithm_type "dpmsolver++", solver_type "midpoint",
 * solver_order 2 (1 allowed) and lower_order_final. Karras sigmas are on by default here (the
 * community's "DPM++ 2M Karras"); the final sigma is 0 (final_sigmas_type "zero"). Samples live in
 * alpha space (init_noise_sigma 1, no input scaling); sigmas only parameterise the schedule.
 *
 * With alpha = 1/sqrt(sigma^2+1), s = sigma alpha, lambda = log(alpha/s) and h = lambda' - lambda:
 *   1. D0 = x0(x, t_i)                                   (data prediction, eq. (6) / v converted)
 *   first order (DPM-Solver++1 = DDIM):   x' = (s'/s) x - alpha' (e^-h - 1) D0
 *   second order (Alg. 2, midpoint form): r = h_prev / h, D1 = (D0 - D0_prev) / r,
 *                                         x' = (s'/s) x - alpha' (e^-h - 1) (D0 + D1 / 2)
 * First order is used for the first step and for the final step (always, with the zero final
 * sigma, as in diffusers; `lowerOrderFinal` therefore changes nothing with order <= 2).
 *
 * | code        | paper          |
 * | ----------- | -------------- |
 * | alphaT, sT  | alpha_t, sigma_t (VP) |
 * | lambda      | lambda_t = log(alpha_t / sigma_t) |
 * | d0, d0Prev  | x_theta(x_ti, t_i), x_theta(x_ti-1, t_i-1) |
 */
import type { GaussianSource } from '../random.js';
import { alphasCumprod, makeBetas, trainingSigmas } from './betas.js';
import type { SchedulerConfig } from './config.js';
import {
  alphaAtTimestep,
  checkSameLength,
  checkStepIndex,
  img2imgStartIndex,
  noiseToAlpha,
  outFor,
  StepBuffers,
  splitPrediction,
  type Scheduler,
  type SchedulerStepResult,
} from './scheduler.js';
import { interpAtIndex, karrasSigmas, sigmaToTimestep } from './sigmas.js';
import { arange, assertSteps, linspace, roundHalfEven } from './timesteps.js';

export class DpmSolverPlusPlus2MScheduler implements Scheduler {
  readonly name = 'dpmpp-2m' as const;
  readonly initNoiseSigma = 1;
  readonly needsNoise = false;
  readonly alphasCumprod: Float64Array;
  readonly trainSigmas: Float64Array;
  timesteps: number[] = [];
  /** Sigma-space noise level of step i, then the final 0. */
  sigmas: number[] = [];
  numInferenceSteps = 0;
  private readonly buffers = new StepBuffers();
  /** Data predictions of the last two steps (order 2 needs one history entry). */
  private history: [Float32Array, Float32Array] = [new Float32Array(0), new Float32Array(0)];
  private historyCount = 0;
  private lastStep = -1;

  constructor(readonly config: Readonly<SchedulerConfig>) {
    this.alphasCumprod = alphasCumprod(makeBetas(config));
    this.trainSigmas = trainingSigmas(this.alphasCumprod);
  }

  setTimesteps(numInferenceSteps: number): void {
    const { numTrainTimesteps: T, timestepSpacing, stepsOffset } = this.config;
    const N = numInferenceSteps;
    assertSteps(N, T);
    let t: number[];
    // diffusers spaces N + 1 points and drops the last (t = 0) for linspace and leading.
    if (timestepSpacing === 'linspace') {
      t = linspace(0, T - 1, N + 1).map(roundHalfEven).reverse().slice(0, N);
    } else if (timestepSpacing === 'leading') {
      const ratio = Math.floor(T / (N + 1));
      t = arange(0, N + 1, 1).map((i) => i * ratio).reverse().slice(0, N).map((v) => v + stepsOffset);
    } else {
      t = arange(T, 0, -T / N, N).map((v) => roundHalfEven(v) - 1);
    }
    let sigmas: number[];
    if (this.config.useKarrasSigmas) {
      // Over the whole training range; the UNet gets each sigma's rounded fractional timestep.
      const n = this.trainSigmas.length;
      sigmas = karrasSigmas(this.trainSigmas[0], this.trainSigmas[n - 1], N);
      const logSigmas = this.trainSigmas.map(Math.log);
      t = sigmas.map((s) => roundHalfEven(sigmaToTimestep(s, logSigmas)));
    } else {
      sigmas = t.map((x) => interpAtIndex(x, this.trainSigmas));
    }
    this.timesteps = t;
    this.sigmas = [...sigmas.map(Math.fround), 0];
    this.numInferenceSteps = N;
    this.historyCount = 0;
    this.lastStep = -1;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, _noise?: GaussianSource): SchedulerStepResult {
    checkStepIndex('dpmpp-2m', this.timesteps, stepIndex);
    checkSameLength(modelOutput, sample);
    if (this.lastStep >= 0 && stepIndex !== this.lastStep + 1) {
      throw new Error(`dpmpp-2m: steps must be consecutive (got ${stepIndex} after ${this.lastStep}); call setTimesteps to restart`);
    }
    const n = sample.length;
    const len = this.timesteps.length;
    const { alpha: alphaS, s: sS, lambda: lambdaS } = vp(this.sigmas[stepIndex]);
    const { alpha: alphaT, s: sT, lambda: lambdaT } = vp(this.sigmas[stepIndex + 1]);

    // 1. D0 = data prediction at this step, kept in the history ring.
    const d0 = this.historyBuffer(n);
    splitPrediction(this.config.predictionType, modelOutput, sample, alphaS * alphaS, d0);

    // diffusers: first order for the first step (no history) and for the last step (final sigma 0);
    // its lower_order_second rule only caps third-order solvers, so it never applies here.
    const useSecond = this.config.solverOrder === 2 && this.historyCount >= 2 && stepIndex !== len - 1;

    const h = lambdaT - lambdaS;
    const ratio = sS > 0 ? sT / sS : 0;
    const coef = alphaT * (Math.exp(-h) - 1); // 0 - 1 = -1 when sigma' = 0 (h = +inf)
    const prev = this.buffers.prevFor(sample);
    if (!useSecond) {
      // DPM-Solver++ first order (Lu et al. 2022 eq. (5)).
      for (let i = 0; i < n; i++) prev[i] = ratio * sample[i] - coef * d0[i];
    } else {
      // Alg. 2 midpoint: r0 = h_prev / h, D1 = (D0 - D0_prev) / r0.
      const d0Prev = this.history[(this.historyCount - 2) % 2];
      const { lambda: lambdaPrev } = vp(this.sigmas[stepIndex - 1]);
      const r0 = (lambdaS - lambdaPrev) / h;
      for (let i = 0; i < n; i++) {
        const d1 = (d0[i] - d0Prev[i]) / r0;
        prev[i] = ratio * sample[i] - coef * d0[i] - 0.5 * coef * d1;
      }
    }
    this.lastStep = stepIndex;
    const x0 = this.buffers.original(n);
    x0.set(d0);
    return { prevSample: prev, predOriginalSample: x0 };
  }

  /** alpha_t x0 + sigma_t noise at the schedule's level for `timestep`, else alpha_bar(timestep). */
  addNoise(original: Float32Array, noise: Float32Array, timestep: number, out?: Float32Array): Float32Array {
    const idx = this.timesteps.indexOf(timestep);
    const a = idx >= 0 ? vp(this.sigmas[idx]).alpha ** 2 : alphaAtTimestep(this.alphasCumprod, timestep);
    return noiseToAlpha(original, noise, a, outFor(original, noise, out));
  }

  noiseToStep(original: Float32Array, noise: Float32Array, stepIndex: number, out?: Float32Array): Float32Array {
    checkStepIndex('dpmpp-2m', this.timesteps, stepIndex);
    return noiseToAlpha(original, noise, vp(this.sigmas[stepIndex + 1]).alpha ** 2, outFor(original, noise, out));
  }

  img2imgStart(strength: number): number {
    if (this.timesteps.length === 0) throw new Error('dpmpp-2m: call setTimesteps(n) before img2imgStart()');
    return img2imgStartIndex(this.numInferenceSteps, strength);
  }

  /** Next slot of the two-entry history ring; counts it as filled. */
  private historyBuffer(n: number): Float32Array {
    const slot = this.historyCount % 2;
    if (this.history[slot].length !== n) this.history[slot] = new Float32Array(n);
    this.historyCount++;
    return this.history[slot];
  }
}

/** diffusers' _sigma_to_alpha_sigma_t plus lambda = log(alpha) - log(sigma). */
function vp(sigma: number): { alpha: number; s: number; lambda: number } {
  const alpha = 1 / Math.sqrt(sigma * sigma + 1);
  const s = sigma * alpha;
  return { alpha, s, lambda: Math.log(alpha) - Math.log(s) };
}
