/**
 * Euler sampler in sigma space (Karras et al. 2022, Alg. 2 with S_churn = 0), a port of diffusers'
 * EulerDiscreteScheduler, incl. its sigma interpolation at fractional timesteps, the Karras sigma
 * option and the init_noise_sigma rule. Samples live in sigma space: x = x0 + sigma eps, so the UNet
 * input is x / sqrt(sigma^2 + 1) (back to alpha space, Karras et al. 2022 Table 1 c_in).
 *
 * Step (Alg. 2 lines 4-8 without churn):
 *   1. x0 = x - sigma eps                         (v: x0 = -sigma/sqrt(sigma^2+1) v + x/(sigma^2+1))
 *   2. d  = (x - x0) / sigma                      (the ODE derivative dx/dsigma, eq. (3))
 *   3. x' = x + d (sigma' - sigma)
 *
 * | code       | paper                      |
 * | ---------- | -------------------------- |
 * | sigmas[i]  | sigma_i (sigmas[N] = 0)    |
 * | d          | d_i                        |
 * | timesteps  | t with sigma(t) = sigma_i   |
 */
import type { GaussianSource } from '../random.js';
import { alphasCumprod, makeBetas, trainingSigmas } from './betas.js';
import type { SchedulerConfig } from './config.js';
import { checkSameLength, checkStepIndex, img2imgStartIndex, outFor, StepBuffers, type Scheduler, type SchedulerStepResult } from './scheduler.js';
import { interpAtIndex, karrasSigmas, sigmaToTimestep } from './sigmas.js';
import { spacedTimesteps } from './timesteps.js';

export class EulerScheduler implements Scheduler {
  readonly name: 'euler' | 'euler-ancestral' = 'euler';
  readonly needsNoise: boolean = false;
  readonly alphasCumprod: Float64Array;
  /** Training sigmas, increasing with t. */
  readonly trainSigmas: Float64Array;
  timesteps: number[] = [];
  /** sigmas[i] for step i, then a final 0 (length timesteps.length + 1). */
  sigmas: number[] = [];
  numInferenceSteps = 0;
  protected readonly buffers = new StepBuffers();
  private scaled = new Float32Array(0);

  constructor(readonly config: Readonly<SchedulerConfig>) {
    this.alphasCumprod = alphasCumprod(makeBetas(config));
    this.trainSigmas = trainingSigmas(this.alphasCumprod);
  }

  /** Whether Karras sigmas apply (diffusers' ancestral Euler has no such option). */
  protected get karras(): boolean {
    return this.config.useKarrasSigmas;
  }

  setTimesteps(numInferenceSteps: number): void {
    let t = spacedTimesteps({
      spacing: this.config.timestepSpacing,
      numInferenceSteps,
      numTrainTimesteps: this.config.numTrainTimesteps,
      stepsOffset: this.config.stepsOffset,
      roundLinspace: false,
    });
    // diffusers: np.interp(timesteps, arange(T), sigmas), linear in sigma.
    let sigmas = t.map((x) => interpAtIndex(x, this.trainSigmas));
    if (this.karras) {
      // Karras range from the spaced schedule's own ends, then each sigma's fractional timestep.
      sigmas = karrasSigmas(sigmas[sigmas.length - 1], sigmas[0], numInferenceSteps);
      const logSigmas = this.trainSigmas.map(Math.log);
      t = sigmas.map((s) => sigmaToTimestep(s, logSigmas));
    }
    // diffusers keeps both as float32 tensors.
    this.timesteps = t.map(Math.fround);
    this.sigmas = [...sigmas.map(Math.fround), 0];
    this.numInferenceSteps = numInferenceSteps;
  }

  /** diffusers: max sigma for linspace/trailing spacing, sqrt(max^2 + 1) for leading. */
  get initNoiseSigma(): number {
    const max = this.sigmas.length ? Math.max(...this.sigmas) : this.trainSigmas[this.trainSigmas.length - 1];
    return this.config.timestepSpacing === 'leading' ? Math.sqrt(max * max + 1) : max;
  }

  /** x / sqrt(sigma^2 + 1); returns a buffer reused by the next call. */
  scaleModelInput(sample: Float32Array, stepIndex: number): Float32Array {
    checkStepIndex(this.name, this.timesteps, stepIndex);
    const c = 1 / Math.sqrt(this.sigmas[stepIndex] ** 2 + 1);
    if (this.scaled.length !== sample.length) this.scaled = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) this.scaled[i] = sample[i] * c;
    return this.scaled;
  }

  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, _noise?: GaussianSource): SchedulerStepResult {
    checkStepIndex(this.name, this.timesteps, stepIndex);
    checkSameLength(modelOutput, sample);
    const sigma = this.sigmas[stepIndex];
    const dt = this.sigmas[stepIndex + 1] - sigma;
    const x0 = this.predictOriginal(modelOutput, sample, sigma);
    const prev = this.buffers.prevFor(sample);
    // 2-3. d = (x - x0) / sigma; x' = x + d dt.
    for (let i = 0; i < sample.length; i++) prev[i] = sample[i] + ((sample[i] - x0[i]) / sigma) * dt;
    return { prevSample: prev, predOriginalSample: x0 };
  }

  /** Step 1: x0 from the model output at noise level sigma (into the reused x0 buffer). */
  protected predictOriginal(modelOutput: Float32Array, sample: Float32Array, sigma: number): Float32Array {
    const x0 = this.buffers.original(sample.length);
    if (this.config.predictionType === 'epsilon') {
      for (let i = 0; i < sample.length; i++) x0[i] = sample[i] - sigma * modelOutput[i];
    } else {
      const cOut = -sigma / Math.sqrt(sigma * sigma + 1);
      const cSkip = 1 / (sigma * sigma + 1);
      for (let i = 0; i < sample.length; i++) x0[i] = cOut * modelOutput[i] + cSkip * sample[i];
    }
    return x0;
  }

  /** x0 + sigma(t) noise; sigma from the schedule when `timestep` is in it, else interpolated. */
  addNoise(original: Float32Array, noise: Float32Array, timestep: number, out?: Float32Array): Float32Array {
    const idx = this.timesteps.findIndex((t) => Math.abs(t - timestep) < 1e-3);
    const sigma = idx >= 0 ? this.sigmas[idx] : interpAtIndex(timestep, this.trainSigmas);
    return addSigmaNoise(original, noise, sigma, outFor(original, noise, out));
  }

  noiseToStep(original: Float32Array, noise: Float32Array, stepIndex: number, out?: Float32Array): Float32Array {
    checkStepIndex(this.name, this.timesteps, stepIndex);
    return addSigmaNoise(original, noise, this.sigmas[stepIndex + 1], outFor(original, noise, out));
  }

  img2imgStart(strength: number): number {
    if (this.timesteps.length === 0) throw new Error(`${this.name}: call setTimesteps(n) before img2imgStart()`);
    return img2imgStartIndex(this.numInferenceSteps, strength);
  }
}

/** Sigma-space forward process: x = x0 + sigma n (Karras et al. 2022 eq. (1) form). */
function addSigmaNoise(original: Float32Array, noise: Float32Array, sigma: number, out: Float32Array): Float32Array {
  for (let i = 0; i < original.length; i++) out[i] = original[i] + sigma * noise[i];
  return out;
}
