/**
 * Latent Consistency Model sampling (Luo et al. 2023, "Latent Consistency Models", Alg. 3 multistep
 * sampling), a port of diffusers' LCMScheduler. The consistency function uses the boundary-condition
 * scalings of Song et al. 2023 "Consistency Models" eq. (6)-style c_skip/c_out at the scaled
 * timestep t * timestep_scaling (sigma_data = 0.5), and between steps the denoised estimate is
 * re-noised with fresh noise from a GaussianSource to the next timestep (step() needs one unless the
 * run is a single step). Timesteps: the distilled skipping schedule (original_inference_steps, 50)
 * evenly subsampled; timestep_spacing is not used, as in diffusers.
 *
 *   k = T // original_steps;  origin = [k-1, 2k-1, ..., original_steps k - 1] reversed
 *   timesteps = origin[floor(linspace(0, len(origin), N, endpoint=False))]
 *   1. x0 = (x - sqrt(1-a) eps) / sqrt(a)            (v: sqrt(a) x - sqrt(1-a) v)
 *   2. c_skip = s_d^2 / ((10t)^2 + s_d^2), c_out = 10t / sqrt((10t)^2 + s_d^2)
 *      denoised = c_out x0 + c_skip x                   (LCM eq. (9) f_theta)
 *   3. x' = sqrt(a') denoised + sqrt(1-a') z          (Alg. 3 line 7), or denoised at the last step
 *
 * | code      | paper           |
 * | --------- | --------------- |
 * | denoised  | f_theta(x, t)   |
 * | a, aPrev  | alpha_bar_t, alpha_bar_t' |
 * | z         | fresh N(0, I)   |
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

const SIGMA_DATA = 0.5;

export class LcmScheduler implements Scheduler {
  readonly name = 'lcm' as const;
  readonly initNoiseSigma = 1;
  readonly needsNoise = true;
  readonly alphasCumprod: Float64Array;
  readonly finalAlphaCumprod: number;
  timesteps: number[] = [];
  numInferenceSteps = 0;
  private readonly buffers = new StepBuffers();
  private denoised = new Float32Array(0);
  private noiseBuf = new Float32Array(0);

  constructor(readonly config: Readonly<SchedulerConfig>) {
    this.alphasCumprod = alphasCumprod(makeBetas(config));
    this.finalAlphaCumprod = config.setAlphaToOne ? 1 : this.alphasCumprod[0];
  }

  setTimesteps(numInferenceSteps: number): void {
    const N = numInferenceSteps;
    const original = this.config.originalInferenceSteps;
    if (!Number.isInteger(N) || N < 1) throw new Error(`numInferenceSteps ${N} must be a positive integer`);
    if (N > original) {
      throw new Error(`lcm: numInferenceSteps ${N} cannot exceed originalInferenceSteps ${original}`);
    }
    const k = Math.floor(this.config.numTrainTimesteps / original);
    const origin: number[] = [];
    for (let i = original; i >= 1; i--) origin.push(i * k - 1);
    const step = origin.length / N;
    this.timesteps = Array.from({ length: N }, (_, i) => origin[Math.floor(i * step)]);
    this.numInferenceSteps = N;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  /** Consistency-model boundary scalings at the scaled timestep (diffusers' discrete variant). */
  scalings(timestep: number): { cSkip: number; cOut: number } {
    const t = timestep * this.config.timestepScaling;
    return { cSkip: SIGMA_DATA ** 2 / (t * t + SIGMA_DATA ** 2), cOut: t / Math.sqrt(t * t + SIGMA_DATA ** 2) };
  }

  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, noise?: GaussianSource): SchedulerStepResult {
    checkStepIndex('lcm', this.timesteps, stepIndex);
    checkSameLength(modelOutput, sample);
    const last = stepIndex === this.timesteps.length - 1;
    if (!last && !noise) throw new Error('lcm: step() needs a GaussianSource to re-noise between steps');
    const n = sample.length;
    const t = this.timesteps[stepIndex];
    const a = this.alphasCumprod[t];
    const aPrev = last ? a : this.alphasCumprod[this.timesteps[stepIndex + 1]];

    // 1. x0 from the model output.
    const x0 = this.buffers.original(n);
    splitPrediction(this.config.predictionType, modelOutput, sample, a, x0);
    const r = this.config.clipSampleRange;
    if (this.config.clipSample) for (let i = 0; i < n; i++) x0[i] = Math.min(Math.max(x0[i], -r), r);
    // 2. f_theta = c_out x0 + c_skip x; returned as predOriginalSample, like diffusers' `denoised`.
    const { cSkip, cOut } = this.scalings(t);
    if (this.denoised.length !== n) this.denoised = new Float32Array(n);
    const d = this.denoised;
    for (let i = 0; i < n; i++) d[i] = cOut * x0[i] + cSkip * sample[i];
    // 3. Re-noise to the next timestep, or finish.
    const prev = this.buffers.prevFor(sample);
    if (last) prev.set(d);
    else {
      if (this.noiseBuf.length !== n) this.noiseBuf = new Float32Array(n);
      noise!.fill(this.noiseBuf);
      noiseToAlpha(d, this.noiseBuf, aPrev, prev);
    }
    x0.set(d);
    return { prevSample: prev, predOriginalSample: x0 };
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number, out?: Float32Array): Float32Array {
    return noiseToAlpha(original, noise, alphaAtTimestep(this.alphasCumprod, timestep), outFor(original, noise, out));
  }

  noiseToStep(original: Float32Array, noise: Float32Array, stepIndex: number, out?: Float32Array): Float32Array {
    return noiseToAlphaAfterStep('lcm', this.timesteps, original, noise, stepIndex, () => this.alphasCumprod[this.timesteps[stepIndex + 1]], out);
  }

  /** The generic rule; diffusers' LCM img2img instead shrinks the origin schedule by strength. */
  img2imgStart(strength: number): number {
    if (this.timesteps.length === 0) throw new Error('lcm: call setTimesteps(n) before img2imgStart()');
    return img2imgStartIndex(this.numInferenceSteps, strength);
  }
}
