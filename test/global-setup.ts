/**
 * Runs once before the test files: builds the project's own toy ONNX models when they are missing or
 * out of date, so a fresh clone tests against real ONNX files without downloading anything, and
 * calibrates the toy model's step budgets when they are missing or stale.
 */
import { prepareBuiltInModel } from '../src/budget/toy-budget.js';
import { ensureToyModels } from '../src/toy-model/index.js';

export default async function setup(): Promise<void> {
  await ensureToyModels('models');
  // Drafts on the toy model carry a predicted step budget, as on any calibrated model.
  await prepareBuiltInModel('models/toy');
}
