/**
 * The built-in toy model ships calibrated, so every draft carries a predicted step budget on a fresh
 * clone too (issue: "every draft carries a predicted budget"). After `npm run models:toy` (and in the
 * test global setup) the toy folder is calibrated on a reduced prompt set when its budget.json is
 * missing, belongs to another build of the model or predates the online stopping rule; a full calibration (`npm run budget:calibrate`)
 * stays in place as long as the model does not change.
 */
import path from 'node:path';
import { DiffusionEngine } from '../diffusion/engine.js';
import { ensureToyModels } from '../toy-model/index.js';
import { calibrate } from './calibrate.js';
import { modelBuildId } from './model-build.js';
import { readPromptList, splitPrompts } from './prompt-set.js';
import { loadBudgetModel } from './step-budget.js';

/** Prompts (train + held out) the quick calibration uses: about 20 s on 2 CPU cores. */
export const QUICK_CALIBRATION_PROMPTS = 64;

/** Calibrates `modelDir` when its budget.json is missing or stale; returns whether it did. */
export async function ensureCalibrated(modelDir: string, log: (line: string) => void = () => {}): Promise<boolean> {
  const build = await modelBuildId(modelDir);
  const current = await loadBudgetModel(modelDir).catch(() => null);
  if (current?.build === build && current.online) return false; // calibrated before the online rule: again
  log(`${modelDir}: calibrating step budgets on ${QUICK_CALIBRATION_PROMPTS} prompts (npm run budget:calibrate does the full set)`);
  const engine = await DiffusionEngine.load(modelDir, { threads: 0 });
  try {
    await calibrate(engine, { modelDir, prompts: splitPrompts(await readPromptList(), QUICK_CALIBRATION_PROMPTS) });
  } finally {
    await engine.release();
  }
  return true;
}

/**
 * When `modelDir` is the built-in toy model (models/toy, which the tests use), builds it if it is
 * missing or stale and makes sure it is calibrated, so `npm start`, `npm run worker` and the CLIs work
 * on a fresh clone without a separate `npm run models:toy`. Any other folder is the user's: untouched.
 */
export async function prepareBuiltInModel(modelDir: string, log: (line: string) => void = () => {}): Promise<void> {
  if (path.resolve(modelDir) !== path.resolve('models', 'toy')) return;
  await ensureToyModels('models');
  await ensureCalibrated(modelDir, log);
}
