/**
 * Calibration of step budgets for one model folder (worker side, CPU/GPU heavy): render each training
 * prompt with its own seed (promptSeed: the base seed and the prompt) at every step count of the grid,
 * measure its curves against the largest-step render, append them to budget-curves.jsonl next to the
 * model, then fit the predictor and write budget.json. Prompts already measured with the same settings
 * on the same model build are read back from the JSONL instead of rendered again, so an interrupted run
 * resumes where it stopped and refits are free. Records from another build (the ONNX bytes changed, see model-build.ts) are stale: they are
 * dropped from the file and measured again, otherwise a recalibration after a rebuild measures nothing.
 * The shorter schedules are traced step by step (measure-prompt.ts) so the same renders also fit the
 * online stopping rule (core/budget/fit-online-rule.ts).
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { BudgetModel } from '../core/budget/budget-model.js';
import { curveKey, parseCurveRecords, type CurveRecord } from '../core/budget/curve-record.js';
import { fitBudgetModel } from '../core/budget/fit-budget-model.js';
import type { RenderRequest, RenderResult } from '../diffusion/render-types.js';
import type { ClipImageScorer } from './clip-image.js';
import { measurePrompt, traceSchedules } from './measure-prompt.js';
import { modelBuildId } from './model-build.js';
import { readModelStepProfile } from './model-step-range.js';
import { promptSeed, type SplitPrompts } from './prompt-set.js';
import { BUDGET_FILE } from './step-budget.js';

export const CURVES_FILE = 'budget-curves.jsonl';

/** What calibration and evaluation need from the engine (DiffusionEngine satisfies it). */
export interface BudgetRenderer {
  render(request: RenderRequest): Promise<Pick<RenderResult, 'images' | 'timings' | 'steps'>>;
  encodePooled(prompt: string): Promise<Float32Array>;
}

export interface CalibrateOptions {
  modelDir: string;
  prompts: SplitPrompts;
  /** Defaults to the folder name. */
  modelId?: string;
  /** Square render size in pixels. Default 64. */
  size?: number;
  seed?: number;
  guidance?: number;
  /** Defaults to the model's profile (4..50, or 1..8 for few-step models). */
  stepGrid?: number[];
  curvesFile?: string;
  budgetFile?: string;
  clip?: ClipImageScorer | null;
  /** Trace the shorter schedules and fit the online stopping rule (default true). */
  online?: boolean;
  folds?: number;
  log?: (line: string) => void;
}

export interface CalibrationResult {
  model: BudgetModel;
  records: CurveRecord[];
  rendered: number;
  reused: number;
  curvesFile: string;
  budgetFile: string;
}

export const CALIBRATION_SEED = 1234;

async function readRecords(file: string): Promise<CurveRecord[]> {
  try {
    return parseCurveRecords(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Measures (or reuses) the training prompts' curves, fits the predictor and writes budget.json. */
export async function calibrate(renderer: BudgetRenderer, options: CalibrateOptions): Promise<CalibrationResult> {
  const log = options.log ?? (() => {});
  const profile = await readModelStepProfile(options.modelDir);
  const size = options.size ?? 64;
  const stepGrid = [...(options.stepGrid ?? profile.stepGrid)].sort((a, b) => a - b);
  const curvesFile = options.curvesFile ?? join(options.modelDir, CURVES_FILE);
  const budgetFile = options.budgetFile ?? join(options.modelDir, BUDGET_FILE);
  const base = {
    v: 1 as const,
    modelId: options.modelId ?? basename(resolve(options.modelDir)),
    seed: options.seed ?? CALIBRATION_SEED,
    width: size,
    height: size,
    guidance: options.guidance ?? 7.5,
    scheduler: profile.schedulerClass,
    steps: stepGrid,
  };
  const build = await modelBuildId(options.modelDir);
  const stored = await readRecords(curvesFile);
  const current = stored.filter((r) => r.build === build);
  if (current.length < stored.length) {
    log(`dropped ${stored.length - current.length} curve records of another model build (now ${build})`);
    await writeFile(curvesFile, current.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }
  const traceFrom = Math.max(2, profile.range.min);
  const trace = options.online === false ? [] : traceSchedules(stepGrid, traceFrom);
  const cached = new Map<string, CurveRecord>();
  for (const r of current) {
    if (options.clip && !r.clip) continue; // measured without CLIP: measure again
    if (trace.length > 0 && !r.online) continue; // measured before the online rule: trace it
    cached.set(curveKey(r), r);
  }
  const records: CurveRecord[] = [];
  let rendered = 0;
  const train = options.prompts.train;
  const started = Date.now();
  for (const [i, prompt] of train.entries()) {
    const own = { ...base, seed: promptSeed(base.seed, prompt) };
    const hit = cached.get(curveKey({ ...own, prompt }));
    if (hit) {
      records.push(hit);
      continue;
    }
    const t0 = Date.now();
    const record = { ...(await measurePrompt(renderer, own, prompt, 'train', { clip: options.clip, trace, traceFrom })), build };
    await appendFile(curvesFile, `${JSON.stringify(record)}\n`);
    records.push(record);
    rendered++;
    const mid = stepGrid.findIndex((s) => s >= 20);
    const midText = mid >= 0 ? ` ssim@${stepGrid[mid]}=${record.ssim[mid].toFixed(3)}` : '';
    log(`[${i + 1}/${train.length}] ${((Date.now() - t0) / 1000).toFixed(1)}s${midText} ssim@${stepGrid[0]}=${record.ssim[0].toFixed(3)}  ${prompt}`);
  }
  log(`measured ${rendered} prompts, reused ${records.length - rendered} in ${((Date.now() - started) / 1000).toFixed(0)}s`);
  const totalSteps = records.reduce((s, r) => s + r.steps.reduce((a, b) => a + b, 0), 0);
  const totalMs = records.reduce((s, r) => s + r.unetMs.reduce((a, b) => a + b, 0), 0);
  const fitted = fitBudgetModel(records, {
    modelId: base.modelId,
    scheduler: profile.schedulerClass,
    range: { min: profile.range.min, max: Math.min(profile.range.max, stepGrid[stepGrid.length - 1]) },
    defaultSteps: stepGrid[stepGrid.length - 1],
    folds: options.folds,
    calibration: {
      prompts: records.length + options.prompts.heldout.length,
      heldOutPrompts: options.prompts.heldout.length,
      width: size,
      height: size,
      seed: base.seed,
      seedPerPrompt: true,
      guidance: base.guidance,
      msPerStep: totalSteps > 0 ? totalMs / totalSteps : 0,
    },
  });
  const model = { ...fitted, build };
  await writeFile(budgetFile, `${JSON.stringify(model, null, 1)}\n`);
  return { model, records, rendered, reused: records.length - rendered, curvesFile, budgetFile };
}
