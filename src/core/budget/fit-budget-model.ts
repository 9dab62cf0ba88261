/**
 * Fits budget.json from calibration curves (pure: no renders, no files). Each metric's curve gets its
 * own ridge map from the pooled text encoding, with lambda chosen by k-fold cross-validation. The
 * rule's SSIM thresholds are then tuned on the out-of-fold predictions of the training prompts: for
 * each quality level, the lowest predicted-SSIM threshold whose chosen steps give real renders (the
 * measured curve at that step) a mean SSIM >= the level's target and at most FIT_TAIL_SHARE (2.5%) of
 * prompts below target - 0.05: half the goal's 5% ("balanced": mean SSIM >= 0.95, <= 5% under 0.90), a
 * margin so the goal holds on new prompts too (choice-summary.ts). Held-out prompts are never looked at
 * here; the evaluation CLI uses them.
 */
import { BUDGET_MODEL_VERSION, budgetFeatures, type BudgetMetric, type BudgetModel, type CurveFit } from './budget-model.js';
import { BUDGET_QUALITIES, chooseSteps, clampSteps, type BudgetQuality, type BudgetRule, type StepRange } from './budget-rule.js';
import type { CurveRecord } from './curve-record.js';
import { FIT_TAIL_SHARE, meetsTarget, summarise, type ChoiceSummary } from './choice-summary.js';
import { fitOnlineRule, type OnlineSample } from './fit-online-rule.js';
import { crossValidateRidge, fitRidge, type RidgeFit } from './ridge.js';

export { FIT_TAIL_SHARE, percentile, summarise, TAIL_MARGIN, TAIL_SHARE, type ChoiceSummary } from './choice-summary.js';

export const DEFAULT_TARGETS: Readonly<Record<BudgetQuality, number>> = { fast: 0.9, balanced: 0.95, best: 0.98 };

export interface FitBudgetOptions {
  modelId: string;
  scheduler: string;
  range: StepRange;
  defaultSteps: number;
  normalise?: 'none' | 'l2';
  targets?: Record<BudgetQuality, number>;
  plateauSlope?: number;
  plateauFloor?: number;
  lambdas?: number[];
  folds?: number;
  calibration: { prompts: number; heldOutPrompts: number; width: number; height: number; seed: number; seedPerPrompt?: boolean; guidance: number; msPerStep: number };
  createdAt?: string;
}


/** Value of a measured curve at any step count, linear between grid points, flat outside. */
export function interpolateCurve(steps: readonly number[], values: readonly number[], at: number): number {
  if (at <= steps[0]) return values[0];
  for (let i = 1; i < steps.length; i++) {
    if (at <= steps[i]) {
      const t = (at - steps[i - 1]) / (steps[i] - steps[i - 1]);
      return values[i - 1] + t * (values[i] - values[i - 1]);
    }
  }
  return values[values.length - 1];
}


/** Steps the rule picks for each predicted curve, and the measured SSIM there. */
export function simulateRule(
  grid: readonly number[],
  predicted: readonly number[][],
  measured: readonly number[][],
  threshold: number,
  rule: Pick<BudgetRule, 'plateauSlope' | 'plateauFloor'>,
  range: StepRange,
): { steps: number[]; ssims: number[] } {
  const steps: number[] = [];
  const ssims: number[] = [];
  predicted.forEach((curve, i) => {
    const points = grid.map((s, g) => ({ steps: s, ssim: Math.min(1, curve[g]) }));
    const s = clampSteps(chooseSteps(points, threshold, rule).steps, range);
    steps.push(s);
    ssims.push(interpolateCurve(grid, measured[i], s));
  });
  return { steps, ssims };
}

/** Lowest threshold in [0.5, 1] (steps of 0.0025) meeting a level's target on the given curves. */
export function tuneThreshold(
  grid: readonly number[],
  predicted: readonly number[][],
  measured: readonly number[][],
  target: number,
  rule: Pick<BudgetRule, 'plateauSlope' | 'plateauFloor'>,
  range: StepRange,
): { threshold: number; summary: ChoiceSummary } {
  let last: { threshold: number; summary: ChoiceSummary } | undefined;
  for (let k = 0; k <= 200; k++) {
    const threshold = Math.round((0.5 + k * 0.0025) * 10000) / 10000;
    const sim = simulateRule(grid, predicted, measured, threshold, rule, range);
    const summary = summarise(sim.steps, sim.ssims);
    last = { threshold, summary };
    if (meetsTarget(sim.ssims, target, FIT_TAIL_SHARE)) return last;
  }
  return last!;
}

/**
 * The baseline a budget must beat: one fixed step count for every prompt, the fewest grid steps whose
 * measured SSIM meets the same target (mean and tail, with the fit's margin) over the given prompts.
 */
export function uniformBaseline(grid: readonly number[], measured: readonly number[][], target: number): { steps: number; meanSsim: number } {
  for (let g = 0; g < grid.length; g++) {
    const values = measured.map((m) => m[g]);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    if (meetsTarget(values, target, FIT_TAIL_SHARE) || g === grid.length - 1) return { steps: grid[g], meanSsim: mean };
  }
  throw new RangeError('empty step grid');
}

function toCurveFit(fit: RidgeFit, cvError: number): CurveFit {
  return { lambda: fit.lambda, intercept: fit.intercept, weights: fit.weights, cvRmse: Math.sqrt(cvError) };
}

/** Fits every metric's curve on the training records and tunes the rule. */
export function fitBudgetModel(train: readonly CurveRecord[], options: FitBudgetOptions): BudgetModel {
  if (train.length < 2) throw new RangeError(`need at least 2 training prompts, got ${train.length}`);
  const grid = train[0].steps;
  for (const r of train) {
    if (r.steps.join(',') !== grid.join(',')) throw new RangeError(`record "${r.prompt}" has step grid ${r.steps} instead of ${grid}`);
  }
  const normalise = options.normalise ?? 'l2';
  const x = train.map((r) => budgetFeatures(r.pooled, normalise));
  const cvOptions = { lambdas: options.lambdas, folds: options.folds };
  const curves: Partial<Record<BudgetMetric, CurveFit>> = {};
  let ssimOutOfFold: number[][] = [];
  let standardisation: RidgeFit['standardisation'] | undefined;
  for (const metric of ['ssim', 'msSsim', 'lsnr', 'clip'] as const) {
    if (!train.every((r) => r[metric] !== undefined)) continue;
    const y = train.map((r) => r[metric]!);
    const cv = crossValidateRidge(x, y, cvOptions);
    const fit = fitRidge(x, y, cv.lambda);
    curves[metric] = toCurveFit(fit, Math.min(...cv.errors));
    standardisation ??= fit.standardisation;
    if (metric === 'ssim') ssimOutOfFold = cv.outOfFold;
  }
  const targets = { ...DEFAULT_TARGETS, ...options.targets };
  const ruleParts = { plateauSlope: options.plateauSlope ?? 0.0002, plateauFloor: options.plateauFloor ?? 0.9 };
  const measured = train.map((r) => r.ssim);
  const thresholds = {} as Record<BudgetQuality, number>;
  const outOfFold: Record<string, ChoiceSummary & { uniformSteps: number; uniformMeanSsim: number }> = {};
  let floor = 0;
  for (const q of BUDGET_QUALITIES) {
    const tuned = tuneThreshold(grid, ssimOutOfFold, measured, targets[q], ruleParts, options.range);
    // Levels must not cross: a higher level never gets a lower threshold.
    thresholds[q] = Math.max(floor, tuned.threshold);
    floor = thresholds[q];
    const sim = simulateRule(grid, ssimOutOfFold, measured, thresholds[q], ruleParts, options.range);
    const uniform = uniformBaseline(grid, measured, targets[q]);
    outOfFold[q] = { ...summarise(sim.steps, sim.ssims), uniformSteps: uniform.steps, uniformMeanSsim: uniform.meanSsim };
  }
  // The online rule on top of the prior, from the traced schedules (when calibration traced any).
  const samples: OnlineSample[] = train.map((r, i) => ({ predicted: ssimOutOfFold[i], measured: r.ssim, traces: r.online ?? [] }));
  const online = fitOnlineRule(samples, { grid, targets, rule: ruleParts, range: options.range, rmse: curves.ssim!.cvRmse });
  return {
    version: BUDGET_MODEL_VERSION,
    modelId: options.modelId,
    createdAt: options.createdAt ?? new Date().toISOString(),
    scheduler: options.scheduler,
    stepGrid: [...grid],
    stepRange: options.range,
    defaultSteps: options.defaultSteps,
    features: { dim: x[0].length, normalise, mean: standardisation!.mean, std: standardisation!.std },
    curves: curves as BudgetModel['curves'],
    rule: { thresholds, ...ruleParts, targets },
    calibration: { ...options.calibration, trainPrompts: train.length, outOfFold },
    ...(online ? { online } : {}),
  };
}
