/**
 * The online stopping rule that runs on top of a prompt's predicted budget (pure: no I/O). The prompt
 * prior (BudgetFusion, budget-rule.ts) fixes the schedule length before denoising; this rule watches
 * the run itself and ends it once the scheduler's estimate of the clean latent (predOriginalSample,
 * x0) has stopped changing. The idea is AdaDiff's (Tang et al. 2023, "AdaDiff: Accelerating Diffusion
 * Models through Step-Wise Adaptive Computation", arXiv 2309.17074): spend computation only while it
 * still changes the output, decided online per sample. AdaDiff exits early from UNet layers with a
 * learned uncertainty module; here the unit is a whole step and the signal needs no training: the
 * relative change of x0 between consecutive steps, projected over the rest of the schedule.
 *
 * Why projected: after step k (UNet at timestep t_k, previous one at t_{k-1}) the x0 estimate moved by
 * r_k = |x0_k - x0_{k-1}| / |x0_k|. If it kept moving at that rate per training timestep until t = 0,
 * it would still move by about r_k * t_k / (t_{k-1} - t_k). That is the change left on the table by
 * stopping now. It is comparable across schedule lengths (a 10-step and a 30-step schedule take steps
 * of very different size) and goes to 0 at the schedule's end, so the rule never has a reason to stop
 * on a step that still has most of the noise ahead of it unless x0 has really settled.
 *
 * The stop threshold per quality level is fitted from calibration renders (fit-online-rule.ts), and
 * the rule never stops before the prompt prediction's lower bound (lowerBoundSteps) or the model's
 * minimum, and never runs past the scheduled steps.
 */
import { decideBudget, type BudgetQuality, type CurvePoint, type DecideBudgetInput, type StepBudget, type StepRange } from './budget-rule.js';

/** What the pipeline needs to stop a run early. */
export interface OnlineStop {
  /** Never stop after fewer UNet steps than this. */
  minSteps: number;
  /** Stop once every variant's projected x0 change is below this; 0 never stops (calibration traces). */
  threshold: number;
}

/**
 * Relative L2 change of each variant's x0 estimate: |cur - prev| / |cur| over that variant's
 * `cur.length / variants` values. Infinity when the current estimate is all zeros.
 * @example relativeChange(Float32Array.of(1, 1), Float32Array.of(1, 2), 1) // [0.4472]
 */
export function relativeChange(prev: ArrayLike<number>, cur: ArrayLike<number>, variants: number): number[] {
  if (prev.length !== cur.length) throw new RangeError(`x0 estimates differ in length: ${prev.length} and ${cur.length}`);
  if (!Number.isInteger(variants) || variants < 1 || cur.length % variants !== 0) {
    throw new RangeError(`${cur.length} values do not split into ${variants} variants`);
  }
  const size = cur.length / variants;
  const out: number[] = [];
  for (let v = 0; v < variants; v++) {
    let diff = 0;
    let norm = 0;
    for (let i = v * size; i < (v + 1) * size; i++) {
      const d = cur[i] - prev[i];
      diff += d * d;
      norm += cur[i] * cur[i];
    }
    out.push(norm > 0 ? Math.sqrt(diff / norm) : Infinity);
  }
  return out;
}

/**
 * The change still ahead if x0 kept moving at this step's rate down to timestep 0:
 * change * t / (tBefore - t). Infinity when the step did not advance (PNDM repeats a timestep).
 */
export function projectedChange(change: number, timestepBefore: number, timestep: number): number {
  const advanced = timestepBefore - timestep;
  if (!(advanced > 0)) return Infinity;
  return change * (Math.max(0, timestep) / advanced);
}

/**
 * Follows one run step by step and says when to stop. Feed it every step's x0 in order; it keeps a
 * copy of the previous one. Stops only when all variants have settled (a batch runs as one).
 */
export class OnlineStopper {
  private previous: Float32Array | undefined;
  private previousTimestep = NaN;

  constructor(
    private readonly rule: OnlineStop,
    private readonly variants: number,
  ) {}

  /**
   * After UNet step `step` (1-based count of steps run) at `timestep`: the projected change of each
   * variant (Infinity on the first step) and whether to stop here.
   */
  observe(step: number, timestep: number, x0: Float32Array): { projected: number[]; stop: boolean } {
    let projected: number[];
    if (!this.previous) {
      projected = new Array<number>(this.variants).fill(Infinity);
      this.previous = new Float32Array(x0.length);
    } else {
      projected = relativeChange(this.previous, x0, this.variants).map((c) => projectedChange(c, this.previousTimestep, timestep));
    }
    this.previous.set(x0);
    this.previousTimestep = timestep;
    const stop = step >= this.rule.minSteps && projected.every((p) => p < this.rule.threshold);
    return { projected, stop };
  }
}

/**
 * The prompt prediction's lower bound: the first grid step where the predicted SSIM, raised by
 * `sigmas` cross-validated errors, reaches the level's target. Before it even an optimistic reading
 * of the prediction says the picture is not done, so the online rule may not stop there. Clamped to
 * the model's minimum and to `atMost` (the scheduled steps).
 * @example lowerBoundSteps([{steps: 4, ssim: 0.8}, {steps: 8, ssim: 0.92}], 0.95, 0.02, 2, {min: 4, max: 50}, 8) // 8
 */
export function lowerBoundSteps(curve: readonly CurvePoint[], target: number, rmse: number, sigmas: number, range: StepRange, atMost: number): number {
  const reach = curve.find((p) => p.ssim + sigmas * rmse >= target)?.steps ?? curve[curve.length - 1]?.steps ?? range.min;
  return Math.min(atMost, Math.max(range.min, reach));
}

/** The level's fitted online rule as budget.json stores it. */
export interface OnlineLevel {
  /** Predicted-SSIM threshold that sets the schedule length (the prompt prior, with room to stop early). */
  priorThreshold: number;
  /** Stop once the projected x0 change is below this. */
  stopThreshold: number;
}

/**
 * The budget a draft shows after the run: the steps actually used (fewer than scheduled when the
 * online rule stopped it) and what they saved against the default.
 */
export function withStepsUsed(budget: StepBudget, used: number, scheduled: number): StepBudget {
  if (used >= scheduled || budget.reason.startsWith('you asked')) return budget;
  return {
    ...budget,
    predictedSteps: used,
    savedSteps: Math.max(0, budget.defaultSteps - used),
    reason: `${budget.reason}; stopped after ${used} of ${scheduled} steps because the picture had stopped changing`,
  };
}

/** The quality levels' online rules, keyed by level. */
export type OnlineLevels = Partial<Record<BudgetQuality, OnlineLevel>>;

export interface DecideOnlineInput extends DecideBudgetInput {
  level: OnlineLevel;
  /** The level's SSIM target and the SSIM curve's cross-validated error, for the lower bound. */
  target: number;
  rmse: number;
  sigmas: number;
  /** Longest schedule calibration traced: longer ones run without the rule, as the fit assumed. */
  maxScheduledSteps?: number;
}

/**
 * Prompt prior + online rule: the schedule length from the prior (the level's own prior threshold)
 * and the stop rule for the run. User steps win and never stop early.
 */
export function decideOnlineBudget(input: DecideOnlineInput): { budget: StepBudget; stop: OnlineStop | null } {
  const { level, target, rmse, sigmas, maxScheduledSteps = Infinity, ...rest } = input;
  if (rest.userSteps !== undefined) return { budget: decideBudget(rest), stop: null };
  const rule = { ...rest.rule, thresholds: { ...rest.rule.thresholds, [rest.quality]: level.priorThreshold } };
  const budget = decideBudget({ ...rest, rule });
  const minSteps = lowerBoundSteps(rest.curve, target, rmse, sigmas, rest.range, budget.predictedSteps);
  if (minSteps >= budget.predictedSteps || level.stopThreshold <= 0 || budget.predictedSteps > maxScheduledSteps) return { budget, stop: null };
  return {
    budget: { ...budget, reason: `${budget.reason}; may stop from ${minSteps} steps once the picture stops changing` },
    stop: { minSteps, threshold: level.stopThreshold },
  };
}
