/**
 * Public surface of step budgets for the worker, the /budget command and the CLIs: load a model's
 * budget.json, predict a prompt's budget, chart it, and account for time and energy. Calibration and
 * evaluation (which render) and the CLIP adapter (which loads onnxruntime-node) are imported from
 * their own files by worker-side code only, so the bot may import this index.
 */
export { BUDGET_FILE, loadBudgetModel, msPerStepAt, predictBudget, predictCurve, predictOnlineBudget, predictSsimCurve, timeSavedMs } from './step-budget.js';
export { budgetChartSvg, renderBudgetChart } from './budget-chart.js';
export type { BudgetChartOptions } from './budget-chart.js';
export { readModelStepProfile, stepProfileFor } from './model-step-range.js';
export type { ModelStepProfile } from './model-step-range.js';
export { DEFAULT_PROMPTS_FILE, promptSplit, readPromptList, splitPrompts } from './prompt-set.js';
export { BUDGET_QUALITIES, decideBudget } from '../core/budget/budget-rule.js';
export type { BudgetQuality, CurvePoint, StepBudget } from '../core/budget/budget-rule.js';
export { withStepsUsed } from '../core/budget/online-stop.js';
export type { OnlineStop } from '../core/budget/online-stop.js';
export { energyLedger, wattHours } from '../core/budget/energy-ledger.js';
export type { EnergyLedger, LedgerEntry } from '../core/budget/energy-ledger.js';
export { parseBudgetModel } from '../core/budget/budget-model.js';
export type { BudgetModel } from '../core/budget/budget-model.js';
