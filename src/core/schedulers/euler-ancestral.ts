/**
 * Euler ancestral sampler, a port of diffusers' EulerAncestralDiscreteScheduler (k-diffusion's
 * sample_euler_ancestral): an Euler step down to sigma_down, then fresh Gaussian noise of size
 * sigma_up so the sample lands on sigma' again (Karras et al. 2022 sec. 4 "stochastic sampling";
 * Ho et al. 2020 ancestral sampling). Same schedule, scaling and init_noise_sigma rule as Euler;
 * like diffusers, it has no Karras-sigma option. step() needs a GaussianSource.
 *
 *   sigma_up   = sqrt(sigma'^2 (sigma^2 - sigma'^2) / sigma^2)
 *   sigma_down = sqrt(sigma'^2 - sigma_up^2)
 *   x' = x + d (sigma_down - sigma) + sigma_up z,   d = (x - x0) / sigma
 *
 * | code      | paper           |
 * | --------- | --------------- |
 * | sigma     | sigma_i         |
 * | sigmaNext | sigma_{i+1}     |
 * | z         | fresh N(0, I)   |
 */
import type { GaussianSource } from '../random.js';
import { EulerScheduler } from './euler.js';
import { checkSameLength, checkStepIndex, type SchedulerStepResult } from './scheduler.js';

export class EulerAncestralScheduler extends EulerScheduler {
  override readonly name = 'euler-ancestral' as const;
  override readonly needsNoise = true;
  private noiseBuf = new Float32Array(0);

  protected override get karras(): boolean {
    return false;
  }

  override step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, noise?: GaussianSource): SchedulerStepResult {
    checkStepIndex(this.name, this.timesteps, stepIndex);
    checkSameLength(modelOutput, sample);
    const sigma = this.sigmas[stepIndex];
    const sigmaNext = this.sigmas[stepIndex + 1];
    const sigmaUp = Math.sqrt((sigmaNext ** 2 * (sigma ** 2 - sigmaNext ** 2)) / sigma ** 2);
    const sigmaDown = Math.sqrt(Math.max(sigmaNext ** 2 - sigmaUp ** 2, 0));
    if (sigmaUp > 0 && !noise) throw new Error('euler-ancestral: step() needs a GaussianSource for its fresh noise');
    const x0 = this.predictOriginal(modelOutput, sample, sigma);
    const prev = this.buffers.prevFor(sample);
    const dt = sigmaDown - sigma;
    for (let i = 0; i < sample.length; i++) prev[i] = sample[i] + ((sample[i] - x0[i]) / sigma) * dt;
    if (noise) {
      // Drawn even when sigma_up is 0 (last step), as diffusers does, so streams stay aligned.
      if (this.noiseBuf.length !== sample.length) this.noiseBuf = new Float32Array(sample.length);
      noise.fill(this.noiseBuf);
      for (let i = 0; i < sample.length; i++) prev[i] += sigmaUp * this.noiseBuf[i];
    }
    return { prevSample: prev, predOriginalSample: x0 };
  }
}
