/**
 * The contract every scheduler implements (ARCHITECTURE.md, "Schedulers") and the small pieces they
 * share: the step-before-setTimesteps guard, diffusers' img2img start rule, output buffers reused
 * between steps, and the variance-preserving conversions between a model output and (x0, eps).
 *
 * Buffer ownership: step() returns arrays the scheduler reuses on later calls. Read or copy them
 * before the next step() call; passing `prevSample` straight back as the next `sample` is always
 * safe (prevSample ping-pongs between two buffers). scaleModelInput may return `sample` itself or a
 * reused buffer, valid until its next call. addNoise / noiseToStep write into `out` when given,
 * else allocate.
 *
 * | code       | paper (DDIM, Song et al. 2021; v: Salimans & Ho 2022) |
 * | ---------- | ------------------------------------------------------ |
 * | a          | alpha_bar_t (DDIM writes alpha_t)                      |
 * | x0         | predicted x_0 ("f_theta" in DDIM eq. (9))              |
 * | eps        | epsilon_theta(x_t)                                     |
 * | v          | v = sqrt(a) eps - sqrt(1-a) x0                         |
 */
import type { GaussianSource } from '../random.js';
import type { PredictionType, SchedulerConfig, SchedulerName } from './config.js';

export interface SchedulerStepResult {
  /** x at the next (less noisy) level: the input to the next step, or the final latent. */
  prevSample: Float32Array;
  /** The model's current estimate of the clean latent (for previews). */
  predOriginalSample: Float32Array;
}

export interface Scheduler {
  readonly name: SchedulerName;
  readonly config: Readonly<SchedulerConfig>;
  /** Builds the schedule for `numInferenceSteps` and resets multistep state. Call once per render. */
  setTimesteps(numInferenceSteps: number): void;
  /** The N requested in setTimesteps (PNDM runs timesteps.length = N + 1 UNet calls). */
  readonly numInferenceSteps: number;
  /** What the UNet receives at each step index; loop over all of them. Fractional for Euler. */
  readonly timesteps: readonly number[];
  /** Multiply unit Gaussian noise by this to get the starting latent of a txt2img run. */
  readonly initNoiseSigma: number;
  /** True when step() needs a GaussianSource (ancestral, LCM, DDIM with eta > 0). */
  readonly needsNoise: boolean;
  /** The UNet input for `sample` at `stepIndex` (identity for the alpha-space schedulers). */
  scaleModelInput(sample: Float32Array, stepIndex: number): Float32Array;
  /** One denoising step from timesteps[stepIndex]. Multistep schedulers need consecutive indices. */
  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, noise?: GaussianSource): SchedulerStepResult;
  /** diffusers add_noise: `original` noised to training/schedule timestep `timestep` in this scheduler's sample space. */
  addNoise(original: Float32Array, noise: Float32Array, timestep: number, out?: Float32Array): Float32Array;
  /** `original` noised to the level the sample has after step `stepIndex` (a copy of it after the last step). */
  noiseToStep(original: Float32Array, noise: Float32Array, stepIndex: number, out?: Float32Array): Float32Array;
  /**
   * First step index for img2img at `strength` in (0, 1] (diffusers: init = min(int(N*strength), N),
   * start = N - init). Noise the init latent with addNoise(x0, noise, timesteps[start]).
   */
  img2imgStart(strength: number): number;
}

/** diffusers' img2img rule; throws when the strength leaves no step to run. */
export function img2imgStartIndex(numInferenceSteps: number, strength: number): number {
  if (!(strength > 0 && strength <= 1)) throw new Error(`strength ${strength} must be in (0, 1]`);
  const init = Math.min(Math.floor(numInferenceSteps * strength), numInferenceSteps);
  if (init < 1) {
    throw new Error(`strength ${strength} with ${numInferenceSteps} steps leaves no step to run; raise strength or steps`);
  }
  return numInferenceSteps - init;
}

/** Throws the clear "call setTimesteps first" / index-range errors. */
export function checkStepIndex(name: string, timesteps: readonly number[], stepIndex: number): void {
  if (timesteps.length === 0) throw new Error(`${name}: call setTimesteps(n) before step()`);
  if (!Number.isInteger(stepIndex) || stepIndex < 0 || stepIndex >= timesteps.length) {
    throw new Error(`${name}: stepIndex ${stepIndex} is outside 0..${timesteps.length - 1}`);
  }
}

export function checkSameLength(modelOutput: Float32Array, sample: Float32Array): void {
  if (modelOutput.length !== sample.length) {
    throw new Error(`modelOutput has ${modelOutput.length} values but sample has ${sample.length}`);
  }
}

/** Two ping-pong buffers for prevSample plus one for predOriginalSample (see the file comment). */
export class StepBuffers {
  private prev: [Float32Array, Float32Array] = [new Float32Array(0), new Float32Array(0)];
  private x0 = new Float32Array(0);
  private turn = 0;

  /** A prevSample buffer of `length` that is not `input`. */
  prevFor(input: Float32Array): Float32Array {
    let i = this.turn;
    if (this.prev[i] === input) i = 1 - i;
    this.turn = 1 - i;
    if (this.prev[i].length !== input.length) this.prev[i] = new Float32Array(input.length);
    return this.prev[i];
  }

  original(length: number): Float32Array {
    if (this.x0.length !== length) this.x0 = new Float32Array(length);
    return this.x0;
  }
}

/** Output array for addNoise-style helpers. */
export function outFor(original: Float32Array, noise: Float32Array, out?: Float32Array): Float32Array {
  if (noise.length !== original.length) {
    throw new Error(`noise has ${noise.length} values but original has ${original.length}`);
  }
  if (out && out.length !== original.length) throw new Error(`out has ${out.length} values, expected ${original.length}`);
  return out ?? new Float32Array(original.length);
}

/**
 * noiseToStep for the alpha-space schedulers (DDIM, PNDM, LCM): the clean source latents noised to the
 * level a sample has after step `stepIndex`, alpha_bar `alphaAfter()`, and the clean source itself after
 * the last step (4-channel inpainting, REFERENCE §3).
 */
export function noiseToAlphaAfterStep(
  name: string,
  timesteps: readonly number[],
  original: Float32Array,
  noise: Float32Array,
  stepIndex: number,
  alphaAfter: () => number,
  out?: Float32Array,
): Float32Array {
  checkStepIndex(name, timesteps, stepIndex);
  const o = outFor(original, noise, out);
  if (stepIndex === timesteps.length - 1) {
    o.set(original);
    return o;
  }
  return noiseToAlpha(original, noise, alphaAfter(), o);
}

/** q(x_t | x_0) = N(sqrt(a) x0, (1 - a) I), DDPM eq. (4): the alpha-space add_noise. */
export function noiseToAlpha(original: Float32Array, noise: Float32Array, a: number, out: Float32Array): Float32Array {
  const sa = Math.sqrt(a);
  const sb = Math.sqrt(1 - a);
  for (let i = 0; i < original.length; i++) out[i] = sa * original[i] + sb * noise[i];
  return out;
}

/**
 * Writes x0 (into `x0`) and, when `eps` is given, epsilon from a model output at alpha_bar `a`.
 * epsilon: x0 = (x - sqrt(1-a) eps) / sqrt(a) (DDIM eq. (9));
 * v: x0 = sqrt(a) x - sqrt(1-a) v, eps = sqrt(a) v + sqrt(1-a) x (Salimans & Ho 2022, sec. 4).
 */
export function splitPrediction(
  type: PredictionType,
  modelOutput: Float32Array,
  sample: Float32Array,
  a: number,
  x0: Float32Array,
  eps?: Float32Array,
): void {
  const sa = Math.sqrt(a);
  const sb = Math.sqrt(1 - a);
  for (let i = 0; i < sample.length; i++) {
    const m = modelOutput[i];
    const x = sample[i];
    if (type === 'epsilon') {
      x0[i] = (x - sb * m) / sa;
      if (eps) eps[i] = m;
    } else {
      x0[i] = sa * x - sb * m;
      if (eps) eps[i] = sa * m + sb * x;
    }
  }
}

/** alpha_bar at an integer training timestep (fractions are rounded), with a range check. */
export function alphaAtTimestep(alphaBar: Float64Array, timestep: number): number {
  const t = Math.round(timestep);
  if (!(t >= 0 && t < alphaBar.length)) throw new Error(`timestep ${timestep} is outside 0..${alphaBar.length - 1}`);
  return alphaBar[t];
}
