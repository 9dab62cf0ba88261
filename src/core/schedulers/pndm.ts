/**
 * PLMS, the pseudo linear multistep method of PNDM (Liu et al. 2022, "Pseudo Numerical Methods for
 * Diffusion Models on Manifolds", eq. (12) transfer + eq. (13) linear multistep), a port of
 * diffusers' PNDMScheduler with skip_prk_steps = true, Stable Diffusion 1.x's shipped setting.
 *
 * Schedule: diffusers repeats the second timestep, so an N-step run makes N + 1 UNet calls
 * (timesteps.length), e.g. leading N = 4, offset 1: [751, 501, 501, 251, 1].
 * Warm-up exactly as diffusers' step_plms (counter c, stored outputs e_k, raw model outputs):
 *   c = 0:  e' = e_0, remember x;                        x' = phi(x, t -> t - T//N, e')
 *   c = 1:  e' = (e_1 + e_0) / 2, restart from the remembered x, same t -> t - T//N
 *   then Adams-Bashforth with what is stored: (3e_{-1} - e_{-2})/2, (23, -16, 5)/12,
 *   and from the fourth stored output on (55e_{-1} - 59e_{-2} + 37e_{-3} - 9e_{-4})/24 (eq. (13)).
 * The transfer phi (eq. (12)), with a = alpha_bar_t, a' = alpha_bar_{t'}:
 *   x' = sqrt(a'/a) x - (a' - a) e' / (a sqrt(1 - a') + sqrt(a (1 - a) a'))
 * v-prediction is converted after the combination (e' = sqrt(a) v' + sqrt(1-a) x), as diffusers does.
 *
 * | code     | paper                   |
 * | -------- | ----------------------- |
 * | ets      | e_t stored outputs      |
 * | phi      | transfer part phi(.)    |
 * | counter  | diffusers' self.counter |
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
  type Scheduler,
  type SchedulerStepResult,
} from './scheduler.js';
import { spacedTimesteps } from './timesteps.js';

export class PndmScheduler implements Scheduler {
  readonly name = 'pndm' as const;
  readonly initNoiseSigma = 1;
  readonly needsNoise = false;
  readonly alphasCumprod: Float64Array;
  readonly finalAlphaCumprod: number;
  timesteps: number[] = [];
  numInferenceSteps = 0;
  private readonly buffers = new StepBuffers();
  /** Up to four stored model outputs (ring of preallocated arrays, oldest first via etsOrder). */
  private etsPool: Float32Array[] = [];
  private etsOrder: Float32Array[] = [];
  private curSample = new Float32Array(0);
  private combined = new Float32Array(0);
  private counter = 0;
  private lastStep = -1;

  constructor(readonly config: Readonly<SchedulerConfig>) {
    if (!config.skipPrkSteps) throw new Error('pndm: only skipPrkSteps true (PLMS) is supported');
    this.alphasCumprod = alphasCumprod(makeBetas(config));
    this.finalAlphaCumprod = config.setAlphaToOne ? 1 : this.alphasCumprod[0];
  }

  setTimesteps(numInferenceSteps: number): void {
    // Ascending base schedule, then diffusers' [t[:-1], t[-2:-1], t[-1:]] reversed.
    const base = spacedTimesteps({
      spacing: this.config.timestepSpacing,
      numInferenceSteps,
      numTrainTimesteps: this.config.numTrainTimesteps,
      stepsOffset: this.config.stepsOffset,
      roundLinspace: true,
    }).reverse();
    const plms = [...base.slice(0, -1), ...base.slice(-2, -1), ...base.slice(-1)];
    this.timesteps = plms.reverse();
    this.numInferenceSteps = numInferenceSteps;
    this.counter = 0;
    this.lastStep = -1;
    this.etsOrder = [];
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, _noise?: GaussianSource): SchedulerStepResult {
    checkStepIndex('pndm', this.timesteps, stepIndex);
    checkSameLength(modelOutput, sample);
    if (this.lastStep >= 0 && stepIndex !== this.lastStep + 1) {
      throw new Error(`pndm: steps must be consecutive (got ${stepIndex} after ${this.lastStep}); call setTimesteps to restart`);
    }
    const n = sample.length;
    const stride = Math.floor(this.config.numTrainTimesteps / this.numInferenceSteps);
    let t = this.timesteps[stepIndex];
    let tPrev = t - stride;
    if (this.counter !== 1) this.pushEts(modelOutput);
    else {
      // Second call: redo the first transfer from the remembered sample with the averaged output.
      tPrev = t;
      t = t + stride;
    }
    if (this.combined.length !== n) this.combined = new Float32Array(n);
    const e = this.combined;
    const ets = this.etsOrder;
    const k = ets.length;
    let x = sample;
    if (k === 1 && this.counter === 0) {
      e.set(modelOutput);
      if (this.curSample.length !== n) this.curSample = new Float32Array(n);
      this.curSample.set(sample);
    } else if (k === 1 && this.counter === 1) {
      const e0 = ets[0];
      for (let i = 0; i < n; i++) e[i] = (modelOutput[i] + e0[i]) / 2;
      x = this.curSample;
    } else if (k === 2) {
      const [a, b] = [ets[1], ets[0]];
      for (let i = 0; i < n; i++) e[i] = (3 * a[i] - b[i]) / 2;
    } else if (k === 3) {
      const [a, b, c] = [ets[2], ets[1], ets[0]];
      for (let i = 0; i < n; i++) e[i] = (23 * a[i] - 16 * b[i] + 5 * c[i]) / 12;
    } else {
      const [a, b, c, d] = [ets[3], ets[2], ets[1], ets[0]];
      for (let i = 0; i < n; i++) e[i] = (55 * a[i] - 59 * b[i] + 37 * c[i] - 9 * d[i]) / 24;
    }

    const aT = alphaAtTimestep(this.alphasCumprod, t);
    const aPrev = tPrev >= 0 ? this.alphasCumprod[tPrev] : this.finalAlphaCumprod;
    const prev = this.buffers.prevFor(sample);
    const x0 = this.buffers.original(n);
    this.transfer(x, e, aT, aPrev, prev);
    // diffusers returns no x0 for PNDM; ours is the raw output's estimate at this call's own level.
    const aNow = alphaAtTimestep(this.alphasCumprod, this.timesteps[stepIndex]);
    const sa = Math.sqrt(aNow);
    const sb = Math.sqrt(1 - aNow);
    for (let i = 0; i < n; i++) {
      x0[i] = this.config.predictionType === 'epsilon' ? (sample[i] - sb * modelOutput[i]) / sa : sa * sample[i] - sb * modelOutput[i];
    }
    this.counter++;
    this.lastStep = stepIndex;
    return { prevSample: prev, predOriginalSample: x0 };
  }

  /** PNDM eq. (12): phi(x_t, e, t -> t'); `e` is converted from v first when needed. */
  private transfer(x: Float32Array, e: Float32Array, a: number, aPrev: number, out: Float32Array): void {
    const sampleCoeff = Math.sqrt(aPrev / a);
    const denom = a * Math.sqrt(1 - aPrev) + Math.sqrt(a * (1 - a) * aPrev);
    const c = (aPrev - a) / denom;
    const v = this.config.predictionType === 'v_prediction';
    const sa = Math.sqrt(a);
    const sb = Math.sqrt(1 - a);
    for (let i = 0; i < x.length; i++) {
      const eps = v ? sa * e[i] + sb * x[i] : e[i];
      out[i] = sampleCoeff * x[i] - c * eps;
    }
  }

  /** diffusers: ets = ets[-3:] + [model_output], in reused arrays. */
  private pushEts(modelOutput: Float32Array): void {
    const n = modelOutput.length;
    let slot: Float32Array | undefined;
    if (this.etsOrder.length === 4) slot = this.etsOrder.shift();
    else slot = this.etsPool.find((p) => p.length === n && !this.etsOrder.includes(p));
    if (!slot || slot.length !== n) {
      slot = new Float32Array(n);
      this.etsPool.push(slot);
    }
    slot.set(modelOutput);
    this.etsOrder.push(slot);
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number, out?: Float32Array): Float32Array {
    return noiseToAlpha(original, noise, alphaAtTimestep(this.alphasCumprod, timestep), outFor(original, noise, out));
  }

  /**
   * The level step i left the sample at: t - T//N, except the warm-up's second call, which redoes
   * the first transfer and lands on its own t. (diffusers' inpaint pipeline uses timesteps[i + 1],
   * which agrees for leading spacing in a full run but not in the second step of an img2img run.)
   * Uses the step state when step i was the last step taken, else assumes a run from index 0.
   */
  noiseToStep(original: Float32Array, noise: Float32Array, stepIndex: number, out?: Float32Array): Float32Array {
    return noiseToAlphaAfterStep('pndm', this.timesteps, original, noise, stepIndex, () => {
      const secondCall = this.lastStep === stepIndex ? this.counter === 2 : stepIndex === 1;
      const t = this.timesteps[stepIndex];
      const tPrev = secondCall ? t : t - Math.floor(this.config.numTrainTimesteps / this.numInferenceSteps);
      return tPrev >= 0 ? this.alphasCumprod[tPrev] : this.finalAlphaCumprod;
    }, out);
  }

  img2imgStart(strength: number): number {
    if (this.timesteps.length === 0) throw new Error('pndm: call setTimesteps(n) before img2imgStart()');
    return img2imgStartIndex(this.numInferenceSteps, strength);
  }
}
