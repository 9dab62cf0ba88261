/**
 * The denoising loop's side of the online step-budget rule: after every scheduler step it feeds the
 * x0 estimate to the pure OnlineStopper (core/budget/online-stop.ts) and, when the rule says stop,
 * hands back the latent the schedule ends on from here (core/schedulers/finish-early.ts), so the
 * pipeline decodes it instead of running the remaining steps. For calibration it also reports every
 * step's projected change with a way to decode the picture an early stop would give.
 */
import { OnlineStopper } from '../core/budget/online-stop.js';
import type { RgbImage } from '../core/image.js';
import type { Scheduler } from '../core/schedulers/index.js';
import { finishEarly } from '../core/schedulers/finish-early.js';
import type { EarlyStopRequest } from './render-types.js';

export class EarlyStopLoop {
  private readonly stopper: OnlineStopper;
  private finished = new Float32Array(0);

  constructor(
    private readonly request: EarlyStopRequest,
    private readonly scheduler: Scheduler,
    variants: number,
    private readonly decode: (latents: Float32Array) => Promise<RgbImage[]>,
  ) {
    this.stopper = new OnlineStopper(request, variants);
  }

  /**
   * After step `stepIndex` (the `done`-th of `total`), which started from `sample` and estimated `x0`:
   * the final latents when the run should end here, else undefined. Read before the next step().
   */
  async after(stepIndex: number, done: number, total: number, sample: Float32Array, x0: Float32Array): Promise<Float32Array | undefined> {
    const { projected, stop } = this.stopper.observe(done, this.scheduler.timesteps[stepIndex], x0);
    const finish = (): Float32Array => {
      if (this.finished.length !== x0.length) this.finished = new Float32Array(x0.length);
      return finishEarly(this.scheduler, stepIndex, sample, x0, this.finished);
    };
    if (this.request.observe && done >= this.request.minSteps) {
      await this.request.observe({ step: done, total, projected, finish: () => this.decode(finish()) });
    }
    return stop && done < total ? finish() : undefined;
  }
}
