/**
 * Step budgets at render time (worker side): load the budget.json that calibration wrote next to a
 * model, predict the prompt's SSIM-versus-steps curve from its pooled text encoding before any
 * denoising (BudgetFusion, arXiv 2412.05780: "suggests the most perceptually efficient number of
 * diffusion steps before a diffusion model starts to generate an image"), and pick the steps with the
 * rule in core/budget. Also the time estimate the group is told ("saved 3.1 s").
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { budgetFeatures, parseBudgetModel, type BudgetMetric, type BudgetModel } from '../core/budget/budget-model.js';
import { decideBudget, type BudgetQuality, type CurvePoint, type StepBudget } from '../core/budget/budget-rule.js';
import { decideOnlineBudget, type OnlineStop } from '../core/budget/online-stop.js';

/** File name of the budget model inside a model folder. */
export const BUDGET_FILE = 'budget.json';

/** Reads `<modelDir>/budget.json`; null when the model has not been calibrated. Throws on a bad file. */
export async function loadBudgetModel(modelDir: string): Promise<BudgetModel | null> {
  let text: string;
  try {
    text = await readFile(join(modelDir, BUDGET_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return parseBudgetModel(JSON.parse(text));
}

/** Predicted values of one metric at every grid step; undefined when the model has no such curve. */
export function predictCurve(model: BudgetModel, metric: BudgetMetric, pooled: ArrayLike<number>): number[] | undefined {
  const fit = model.curves[metric];
  if (!fit) return undefined;
  if (pooled.length !== model.features.dim) {
    throw new RangeError(`pooled encoding has ${pooled.length} values but ${model.modelId}'s budget expects ${model.features.dim}`);
  }
  const x = budgetFeatures(pooled, model.features.normalise);
  const { mean, std } = model.features;
  return fit.intercept.map((b, g) => {
    let s = b;
    const w = fit.weights[g];
    for (let d = 0; d < x.length; d++) s += (w[d] * (x[d] - mean[d])) / std[d];
    return s;
  });
}

/** The predicted SSIM curve as points, clamped to [-1, 1]. */
export function predictSsimCurve(model: BudgetModel, pooled: ArrayLike<number>): CurvePoint[] {
  const values = predictCurve(model, 'ssim', pooled)!;
  return model.stepGrid.map((steps, g) => ({ steps, ssim: Math.max(-1, Math.min(1, values[g])) }));
}

/**
 * The step budget for one prompt. User steps win; otherwise the first grid step whose predicted SSIM
 * passes the quality level's threshold (or plateaus), clamped to the model's range.
 * @example predictBudget(model, await engine.encodePooled(prompt), 'balanced').predictedSteps // 20
 */
export function predictBudget(model: BudgetModel, pooled: ArrayLike<number>, quality: BudgetQuality, userSteps?: number): StepBudget {
  return decideBudget({
    curve: predictSsimCurve(model, pooled),
    quality,
    rule: model.rule,
    range: model.stepRange,
    defaultSteps: model.defaultSteps,
    userSteps,
  });
}

/**
 * The step budget with the online stopping rule on top (core/budget/online-stop.ts): the schedule
 * length from the prompt prior and, when the model was calibrated for it, when the run may stop
 * early. Without an online rule in budget.json (or with user steps) this is predictBudget and no stop.
 */
export function predictOnlineBudget(model: BudgetModel, pooled: ArrayLike<number>, quality: BudgetQuality, userSteps?: number): { budget: StepBudget; stop: OnlineStop | null } {
  const online = model.online;
  if (!online || userSteps !== undefined) return { budget: predictBudget(model, pooled, quality, userSteps), stop: null };
  return decideOnlineBudget({
    curve: predictSsimCurve(model, pooled),
    quality,
    rule: model.rule,
    range: model.stepRange,
    defaultSteps: model.defaultSteps,
    level: online.levels[quality],
    target: model.rule.targets[quality],
    rmse: model.curves.ssim.cvRmse,
    sigmas: online.lowerBoundSigmas,
    maxScheduledSteps: online.maxScheduledSteps,
  });
}

/**
 * UNet milliseconds per step at another size, scaled from the calibration measurement by pixel count
 * (UNet cost is close to linear in latent area for SD-sized inputs).
 */
export function msPerStepAt(model: BudgetModel, width: number, height: number): number {
  const { msPerStep, width: w0, height: h0 } = model.calibration;
  return msPerStep * ((width * height) / (w0 * h0));
}

/** Milliseconds a budget saves against the default step count. */
export function timeSavedMs(budget: StepBudget, msPerStep: number): number {
  return budget.savedSteps * msPerStep;
}
