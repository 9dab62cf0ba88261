/**
 * The step-budget rule: given a predicted SSIM-versus-steps curve for a prompt (SSIM of the render at
 * s steps against the reference render at the largest step count), pick the fewest steps after which a
 * viewer would notice no difference. This is BudgetFusion's plateau detection (arXiv 2412.05780,
 * section 4.3) applied to one curve, plus an absolute target: stop at the first grid step where the
 * curve reaches the quality level's SSIM threshold, or where it has flattened out (slope to the next
 * grid step below epsilon per step) above a floor, whichever comes first. The result is clamped to
 * the model's sensible range, so few-step models (LCM, SD-Turbo) stay within 1-8 steps.
 */

/** The quality levels, cheapest first; every schema and Discord choice of a quality uses this list. */
export const BUDGET_QUALITIES = ['fast', 'balanced', 'best'] as const;
export type BudgetQuality = (typeof BUDGET_QUALITIES)[number];

/** One point of a predicted curve. */
export interface CurvePoint {
  steps: number;
  ssim: number;
}

/** What the /budget command and the draft flow show: the steps to spend and why. */
export interface StepBudget {
  predictedSteps: number;
  /** Steps a render would use without a budget (the reference step count). */
  defaultSteps: number;
  quality: BudgetQuality;
  curve: CurvePoint[];
  /** defaultSteps - predictedSteps, never negative. */
  savedSteps: number;
  /** One sentence for people: which rule chose the steps. */
  reason: string;
}

export interface BudgetRule {
  /** Predicted-SSIM threshold per quality level. */
  thresholds: Record<BudgetQuality, number>;
  /** Plateau when (ssim[i+1] - ssim[i]) / (steps[i+1] - steps[i]) < plateauSlope. */
  plateauSlope: number;
  /** A plateau only counts once the curve is at least this high (an early flat stretch is not done). */
  plateauFloor: number;
}

export interface StepRange {
  min: number;
  max: number;
}

export type StepChoiceReason = 'threshold' | 'plateau' | 'not-reached';

export interface StepChoice {
  steps: number;
  reason: StepChoiceReason;
  /** Predicted SSIM at the chosen step (before clamping). */
  ssim: number;
}

/**
 * First grid step that passes `threshold` or starts a plateau; the last step when neither happens.
 * The curve must be sorted by steps and non-empty.
 * @example chooseSteps([{steps: 10, ssim: 0.8}, {steps: 20, ssim: 0.96}, {steps: 50, ssim: 1}], 0.95, rule)
 *   // { steps: 20, reason: 'threshold', ssim: 0.96 }
 */
export function chooseSteps(curve: CurvePoint[], threshold: number, rule: Pick<BudgetRule, 'plateauSlope' | 'plateauFloor'>): StepChoice {
  if (curve.length === 0) throw new RangeError('cannot choose steps from an empty curve');
  for (let i = 0; i < curve.length; i++) {
    const p = curve[i];
    if (i > 0 && p.steps <= curve[i - 1].steps) {
      throw new RangeError(`curve steps must increase: ${curve[i - 1].steps} then ${p.steps}`);
    }
    if (p.ssim >= threshold) return { steps: p.steps, reason: 'threshold', ssim: p.ssim };
    const next = curve[i + 1];
    if (next && p.ssim >= rule.plateauFloor) {
      const slope = (next.ssim - p.ssim) / (next.steps - p.steps);
      if (slope < rule.plateauSlope) return { steps: p.steps, reason: 'plateau', ssim: p.ssim };
    }
  }
  const last = curve[curve.length - 1];
  return { steps: last.steps, reason: 'not-reached', ssim: last.ssim };
}

export function clampSteps(steps: number, range: StepRange): number {
  return Math.min(range.max, Math.max(range.min, Math.round(steps)));
}

export interface DecideBudgetInput {
  curve: CurvePoint[];
  quality: BudgetQuality;
  rule: BudgetRule;
  range: StepRange;
  defaultSteps: number;
  /** Steps the user asked for: they always win. */
  userSteps?: number;
}

/** The full decision: user steps win, else the rule on the curve, clamped to the model's range. */
export function decideBudget(input: DecideBudgetInput): StepBudget {
  const { curve, quality, rule, range, defaultSteps, userSteps } = input;
  const base = { defaultSteps, quality, curve };
  if (userSteps !== undefined) {
    if (!Number.isInteger(userSteps) || userSteps < 1) throw new RangeError(`userSteps ${userSteps} must be a positive integer`);
    return { ...base, predictedSteps: userSteps, savedSteps: Math.max(0, defaultSteps - userSteps), reason: `you asked for ${userSteps} steps` };
  }
  const threshold = rule.thresholds[quality];
  const choice = chooseSteps(curve, threshold, rule);
  const steps = clampSteps(choice.steps, range);
  let reason: string;
  if (choice.reason === 'threshold') {
    reason = `predicted SSIM ${choice.ssim.toFixed(3)} passes the ${quality} threshold ${threshold.toFixed(3)} at ${choice.steps} steps`;
  } else if (choice.reason === 'plateau') {
    reason = `predicted SSIM levels off at ${choice.ssim.toFixed(3)} after ${choice.steps} steps`;
  } else {
    reason = `predicted SSIM stays below the ${quality} threshold ${threshold.toFixed(3)}: using the full ${choice.steps} steps`;
  }
  if (steps !== choice.steps) reason += `; kept within this model's ${range.min}-${range.max} steps`;
  return { ...base, predictedSteps: steps, savedSteps: Math.max(0, defaultSteps - steps), reason };
}
