/**
 * The step counts a model folder makes sense at, read from its files before calibrating. Ordinary SD
 * checkpoints are calibrated on a 4..50 grid with 50 steps as the reference; few-step models (an
 * LCMScheduler, or an SD-Turbo / SDXL-Turbo export) are trained for 1-4 steps and only get worse with
 * many, so their grid, range and reference stay within 1-8 (REFERENCE.md section 7: "a budget predictor
 * must respect the model's own range").
 */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { StepRange } from '../core/budget/budget-rule.js';

export interface ModelStepProfile {
  /** diffusers scheduler class, e.g. "DDIMScheduler" ("unknown" when the file is missing). */
  schedulerClass: string;
  fewStep: boolean;
  stepGrid: number[];
  range: StepRange;
  /** The reference step count: what a render uses without a budget. */
  defaultSteps: number;
}

export const STANDARD_GRID: readonly number[] = [4, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50];
export const FEW_STEP_GRID: readonly number[] = [1, 2, 3, 4, 6, 8];

async function readJson(file: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Pure part: decide from the scheduler class and the names that identify the model. */
export function stepProfileFor(schedulerClass: string, names: readonly string[]): ModelStepProfile {
  const fewStep = schedulerClass === 'LCMScheduler' || names.some((n) => /turbo|lcm|lightning|hyper/i.test(n));
  return fewStep
    ? { schedulerClass, fewStep, stepGrid: [...FEW_STEP_GRID], range: { min: 1, max: 8 }, defaultSteps: 8 }
    : { schedulerClass, fewStep, stepGrid: [...STANDARD_GRID], range: { min: 4, max: 50 }, defaultSteps: 50 };
}

/** Reads scheduler/scheduler_config.json and model_index.json of a model folder. */
export async function readModelStepProfile(modelDir: string): Promise<ModelStepProfile> {
  const scheduler = await readJson(join(modelDir, 'scheduler', 'scheduler_config.json'));
  const index = await readJson(join(modelDir, 'model_index.json'));
  const names = [basename(resolve(modelDir))];
  for (const key of ['_name_or_path', '_class_name']) {
    const v = index?.[key];
    if (typeof v === 'string') names.push(v);
  }
  const cls = typeof scheduler?._class_name === 'string' ? scheduler._class_name : 'unknown';
  return stepProfileFor(cls, names);
}
