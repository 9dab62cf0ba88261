/**
 * DDIM (Song et al. 2021, "Denoising Diffusion Implicit Models"), a port of diffusers'
 * DDIMScheduler. Deterministic with eta = 0 (the default); eta > 0 adds fresh noise per eq. (16) and
 * then needs a GaussianSource. Samples live in alpha space: x_t = sqrt(a_t) x0 + sqrt(1 - a_t) eps.
 *
 * Step (DDIM eq. (12)), with a = alpha_bar_t and a' = alpha_bar at t - T // N:
 *   1. x0  = (x_t - sqrt(1-a) eps) / sqrt(a)                    (eq. (9); v-prediction converted first)
 *   2. sigma = eta sqrt((1-a')/(1-a)) sqrt(1 - a/a')             (eq. (16))
 *   3. x_t' = sqrt(a') x0 + sqrt(1 - a' - sigma^2) eps + sigma z (eq. (12))
 * Below t = 0, a' is 1 (setAlphaToOne) or alpha_bar_0, as diffusers' final_alpha_cumprod.
 *
 * | code  | paper      |
 * | ----- | ---------- |
 * | a     | alpha_t    |
 * | aPrev | alpha_t-1  |
 * | std   | sigma_t(eta) |
 */
import type { GaussianSource } from '../random.js';
import { alphasCumprod, makeBetas } from './betas.js';
import type { SchedulerConfig } from './config.js';
import {
  alphaAtTimestep,
  checkSameLength,
  checkStepIndex,
  img2imgStartIndex,
  noiseToAlpha,
  noiseToAlphaAfterStep,
  outFor,
  StepBuffers,
  splitPrediction,
  type Scheduler,
  type SchedulerStepResult,
} from './scheduler.js';
import { spacedTimesteps } from './timesteps.js';

export class DdimScheduler implements Scheduler {
  readonly name = 'ddim' as const;
  readonly initNoiseSigma = 1;
  readonly alphasCumprod: Float64Array;
  readonly finalAlphaCumprod: number;
  timesteps: number[] = [];
  numInferenceSteps = 0;
  private readonly buffers = new StepBuffers();
  private eps = new Float32Array(0);
  private noiseBuf = new Float32Array(0);

  constructor(readonly config: Readonly<SchedulerConfig>) {
    this.alphasCumprod = alphasCumprod(makeBetas(config));
    this.finalAlphaCumprod = config.setAlphaToOne ? 1 : this.alphasCumprod[0];
  }

  get needsNoise(): boolean {
    return this.config.eta > 0;
  }

  setTimesteps(numInferenceSteps: number): void {
    this.timesteps = spacedTimesteps({
      spacing: this.config.timestepSpacing,
      numInferenceSteps,
      numTrainTimesteps: this.config.numTrainTimesteps,
      stepsOffset: this.config.stepsOffset,
      roundLinspace: true,
    });
    this.numInferenceSteps = numInferenceSteps;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  /** alpha_bar of the level step `stepIndex` lands on (diffusers: t - T // N). */
  alphaAfter(stepIndex: number): number {
    const prev = this.timesteps[stepIndex] - Math.floor(this.config.numTrainTimesteps / this.numInferenceSteps);
    return prev >= 0 ? this.alphasCumprod[prev] : this.finalAlphaCumprod;
  }

  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, noise?: GaussianSource): SchedulerStepResult {
    checkStepIndex('ddim', this.timesteps, stepIndex);
    checkSameLength(modelOutput, sample);
    const { eta, clipSample, clipSampleRange, predictionType } = this.config;
    if (eta > 0 && !noise) throw new Error('ddim: eta > 0 needs a GaussianSource passed to step()');
    const n = sample.length;
    const a = this.alphasCumprod[this.timesteps[stepIndex]];
    const aPrev = this.alphaAfter(stepIndex);

    // 1. x0 and eps from the model output (eq. (9), or v-prediction).
    const x0 = this.buffers.original(n);
    if (this.eps.length !== n) this.eps = new Float32Array(n);
    splitPrediction(predictionType, modelOutput, sample, a, x0, this.eps);
    if (clipSample) for (let i = 0; i < n; i++) x0[i] = Math.min(Math.max(x0[i], -clipSampleRange), clipSampleRange);

    // 2. eq. (16) standard deviation.
    const variance = ((1 - aPrev) / (1 - a)) * (1 - a / aPrev);
    const std = eta * Math.sqrt(Math.max(variance, 0));
    // 3. eq. (12).
    const cx0 = Math.sqrt(aPrev);
    const cEps = Math.sqrt(Math.max(1 - aPrev - std * std, 0));
    const prev = this.buffers.prevFor(sample);
    for (let i = 0; i < n; i++) prev[i] = cx0 * x0[i] + cEps * this.eps[i];
    if (eta > 0 && noise) {
      if (this.noiseBuf.length !== n) this.noiseBuf = new Float32Array(n);
      noise.fill(this.noiseBuf);
      for (let i = 0; i < n; i++) prev[i] += std * this.noiseBuf[i];
    }
    return { prevSample: prev, predOriginalSample: x0 };
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number, out?: Float32Array): Float32Array {
    return noiseToAlpha(original, noise, alphaAtTimestep(this.alphasCumprod, timestep), outFor(original, noise, out));
  }

  noiseToStep(original: Float32Array, noise: Float32Array, stepIndex: number, out?: Float32Array): Float32Array {
    return noiseToAlphaAfterStep('ddim', this.timesteps, original, noise, stepIndex, () => this.alphaAfter(stepIndex), out);
  }

  img2imgStart(strength: number): number {
    if (this.timesteps.length === 0) throw new Error('ddim: call setTimesteps(n) before img2imgStart()');
    return img2imgStartIndex(this.numInferenceSteps, strength);
  }
}
