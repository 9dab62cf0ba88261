/**
 * Ending a run before its last scheduled step (the online step-budget rule, core/budget/online-stop.ts):
 * the latent the schedule would end on if the model's current clean-latent estimate x0 (the step's
 * predOriginalSample) were final. No extra UNet call: the step that triggered the stop already gave
 * x0 and, with the sample it was computed from, the matching epsilon.
 *
 * Every scheduler here moves along the same family of marginals x_t = sqrt(a_t) x0 + sqrt(1 - a_t) eps
 * (alpha space) or x = x0 + sigma eps (sigma space), so "finish now" is the deterministic jump from the
 * current level straight to the schedule's final level with x0 and eps held fixed:
 *
 * | scheduler              | final level                         | jump from level k to the end            |
 * | ---------------------- | ----------------------------------- | --------------------------------------- |
 * | DDIM (eta 0)           | a_final = 1, or alpha_bar_0 when    | DDIM eq. (12) with a' = a_final: any    |
 * |                        | set_alpha_to_one is false (SD 1.x)  | decreasing sub-sequence of timesteps is |
 * |                        |                                     | a valid DDIM schedule (Song et al. 2021 |
 * |                        |                                     | sec. 4.2), so this is DDIM's own step   |
 * | DDIM (eta > 0)         | as above                            | the same jump without the eq. (16) noise|
 * |                        |                                     | (its mean; std <= sqrt(1 - a_final))    |
 * | PNDM / PLMS            | as DDIM                             | the same jump with the current eps; the |
 * |                        |                                     | multistep mix only describes the next   |
 * |                        |                                     | small step, not a jump to the end       |
 * | Euler, Euler ancestral | sigma 0                             | x + (0 - sigma) (x - x0) / sigma = x0   |
 * |                        |                                     | (Karras et al. 2022 Alg. 2; ancestral:  |
 * |                        |                                     | sigma_up = sigma_down = 0 at sigma' = 0)|
 * | DPM-Solver++(2M)       | sigma 0 (final_sigmas_type "zero")  | first order to sigma' = 0 gives x0, as  |
 * |                        |                                     | diffusers' own last step does (Lu et    |
 * |                        |                                     | al. 2022 eq. (5); 2nd order is undefined|
 * |                        |                                     | there: h is infinite)                   |
 * | LCM                    | the consistency output              | LCM's last step returns the denoised    |
 * |                        |                                     | f(x, t) itself, which is predOriginal   |
 *
 * When x0 has really stopped changing (what the online rule checks), the probability-flow ODE path
 * from here on is exactly x_t = sqrt(a_t) x0 + sqrt(1 - a_t) eps with x0 and eps constant, so the jump
 * is where the remaining steps would have led; the rule's threshold bounds how far off it can be.
 */
import { DdimScheduler } from './ddim.js';
import { PndmScheduler } from './pndm.js';
import { alphaAtTimestep, type Scheduler } from './scheduler.js';

/**
 * The final latent of a run stopped after step `stepIndex`, given the `sample` that step started
 * from and its x0 estimate. Writes into `out` when given.
 */
export function finishEarly(scheduler: Scheduler, stepIndex: number, sample: Float32Array, x0: Float32Array, out?: Float32Array): Float32Array {
  if (sample.length !== x0.length) throw new RangeError(`sample has ${sample.length} values but x0 has ${x0.length}`);
  const o = out ?? new Float32Array(x0.length);
  if (scheduler instanceof DdimScheduler || scheduler instanceof PndmScheduler) {
    const a = alphaAtTimestep(scheduler.alphasCumprod, scheduler.timesteps[stepIndex]);
    const aFinal = scheduler.finalAlphaCumprod;
    const sa = Math.sqrt(a);
    const sb = Math.sqrt(1 - a);
    const cx0 = Math.sqrt(aFinal);
    const cEps = Math.sqrt(1 - aFinal);
    // eps consistent with (sample, x0) at level a: the inverse of DDIM eq. (9), for epsilon and v alike.
    for (let i = 0; i < o.length; i++) o[i] = cx0 * x0[i] + cEps * ((sample[i] - sa * x0[i]) / sb);
    return o;
  }
  // Sigma-space schedulers and LCM end on x0 itself (see the table above).
  o.set(x0);
  return o;
}
