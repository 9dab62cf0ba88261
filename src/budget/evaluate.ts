/**
 * Evaluation of a fitted budget.json on held-out prompts (never seen by the fit), with seeds the
 * calibration never rendered (at run time budgets are predicted for new seeds). Each prompt is rendered
 * with one or more seeds: with ~40 held-out prompts one render more or less under 0.90 moves the share
 * by 2.7 points, so a second seed halves that step. For each render (prompt and seed) and quality
 * level, three ways to choose the steps are rendered and compared with the reference render (the
 * default step count, same seed):
 *   - fixed: one step count for every prompt; both the count calibration found on the training prompts
 *     and the best fixed count on these very prompts (the fewest grid steps meeting the level's target
 *     here: the strongest fixed baseline there is, since it is chosen with hindsight);
 *   - prompt-only: the step count predicted from the prompt before denoising (BudgetFusion);
 *   - prompt+online: the prompt prior's schedule, stopped early by the online rule (online-stop.ts) in
 *     a real render through the same engine path the worker uses, so the steps are those actually run.
 * Reported per method: mean steps, UNet evaluations saved against the reference, mean and 5th
 * percentile SSIM, share under 0.90, whether it meets the target, and how many fewer steps it uses
 * than the best fixed count meeting the same target.
 */
import type { BudgetModel } from '../core/budget/budget-model.js';
import { BUDGET_QUALITIES, type BudgetQuality } from '../core/budget/budget-rule.js';
import { meetsTarget, percentile } from '../core/budget/choice-summary.js';
import { msSsim } from '../core/budget/ms-ssim.js';
import { ssim } from '../core/budget/ssim.js';
import type { RgbImage } from '../core/image.js';
import type { RenderRequest } from '../diffusion/render-types.js';
import type { BudgetRenderer } from './calibrate.js';
import { promptSeed } from './prompt-set.js';
import { predictBudget, predictOnlineBudget } from './step-budget.js';

export const EVALUATION_SEED = 4321;

export interface EvaluateOptions {
  prompts: readonly string[];
  qualities?: readonly BudgetQuality[];
  size?: number;
  /** Base seeds: each prompt is rendered once per base seed, with promptSeed(base, prompt) (default: EVALUATION_SEED alone). */
  seeds?: readonly number[];
  guidance?: number;
  log?: (line: string) => void;
}

export type MethodName = 'fixed' | 'bestFixed' | 'promptOnly' | 'online';

/** One prompt rendered by one method. */
export interface Measured {
  steps: number;
  ssim: number;
  msSsim: number;
}

export interface MethodReport {
  method: MethodName;
  meanSteps: number;
  minSteps: number;
  maxSteps: number;
  /** 1 - meanSteps / referenceSteps, in percent. */
  unetSavedPct: number;
  meanSsim: number;
  p5Ssim: number;
  shareBelow090: number;
  meanMsSsim: number;
  /** Mean SSIM >= target and at most 5% of prompts under target - 0.05. */
  meetsTarget: boolean;
  /** 1 - meanSteps / bestFixedSteps, in percent (negative: more steps). */
  fewerThanBestFixedPct: number;
}

export interface QualityReport {
  quality: BudgetQuality;
  /** The level's SSIM target (mean) from budget.json. */
  target: number;
  /** The fixed count calibration chose, and the fewest grid steps meeting the target on these prompts. */
  fixedSteps: number;
  bestFixedSteps: number;
  methods: MethodReport[];
}

export interface PromptResult {
  prompt: string;
  seed: number;
  byQuality: Record<string, Partial<Record<MethodName, Measured>>>;
}

export interface EvaluationReport {
  modelId: string;
  createdAt: string;
  prompts: number;
  width: number;
  height: number;
  /** Base seeds: every prompt was rendered once per base seed (promptSeed): prompts x seeds renders per method. */
  seeds: number[];
  referenceSteps: number;
  /** UNet ms per step measured during this evaluation. */
  msPerStep: number;
  qualities: QualityReport[];
  /** The issue's goal on the balanced level, judged for each per-prompt method. */
  goals: { method: MethodName; unetSavedPct: number; meanSsim: number; shareBelow090: number; fewerThanBestFixedPct: number; met: boolean }[];
  perPrompt: PromptResult[];
}

const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;

function summariseMethod(method: MethodName, runs: readonly Measured[], target: number, referenceSteps: number, bestFixedSteps: number): MethodReport {
  const steps = runs.map((r) => r.steps);
  const ssims = runs.map((r) => r.ssim);
  const meanSteps = mean(steps);
  return {
    method,
    meanSteps,
    minSteps: Math.min(...steps),
    maxSteps: Math.max(...steps),
    unetSavedPct: 100 * (1 - meanSteps / referenceSteps),
    meanSsim: mean(ssims),
    p5Ssim: percentile(ssims, 0.05),
    shareBelow090: ssims.filter((v) => v < 0.9).length / ssims.length,
    meanMsSsim: mean(runs.map((r) => r.msSsim)),
    meetsTarget: meetsTarget(ssims, target),
    fewerThanBestFixedPct: 100 * (1 - meanSteps / bestFixedSteps),
  };
}

/** Renders held-out prompts with every method and measures them against the reference. */
export async function evaluateBudget(renderer: BudgetRenderer, model: BudgetModel, options: EvaluateOptions): Promise<EvaluationReport> {
  const log = options.log ?? (() => {});
  const qualities = options.qualities ?? BUDGET_QUALITIES;
  const size = options.size ?? model.calibration.width;
  const seeds = options.seeds?.length ? [...options.seeds] : [EVALUATION_SEED];
  const cases = options.prompts.flatMap((prompt) => seeds.map((base) => ({ prompt, seed: promptSeed(base, prompt) })));
  const guidance = options.guidance ?? model.calibration.guidance;
  const referenceSteps = model.defaultSteps;
  let unetMs = 0;
  let unetSteps = 0;
  const renderAt = async ({ prompt, seed }: { prompt: string; seed: number }, steps: number, extra: Partial<RenderRequest> = {}) => {
    const r = await renderer.render({ prompt, seed, steps, guidance, width: size, height: size, variants: 1, ...extra });
    unetMs += r.timings.unetMs;
    unetSteps += r.steps;
    return r;
  };
  const references: RgbImage[] = [];
  const caches: Map<number, Measured>[] = [];
  const compare = (img: RgbImage, i: number) => ({ ssim: ssim(img, references[i]), msSsim: msSsim(img, references[i]) });
  /** Full-schedule render of case i (prompt and seed) at `steps`, measured once. */
  const fixedAt = async (i: number, steps: number): Promise<Measured> => {
    let m = caches[i].get(steps);
    if (!m) {
      m = { steps, ...compare((await renderAt(cases[i], steps)).images[0], i) };
      caches[i].set(steps, m);
    }
    return m;
  };

  const perPrompt: PromptResult[] = [];
  const encoded = new Map<string, Float32Array>(); // a prompt's seeds share its text encoding
  for (const [i, c] of cases.entries()) {
    const { prompt, seed } = c;
    const pooled = encoded.get(prompt) ?? (await renderer.encodePooled(prompt));
    encoded.set(prompt, pooled);
    references.push((await renderAt(c, referenceSteps)).images[0]);
    caches.push(new Map([[referenceSteps, { steps: referenceSteps, ssim: 1, msSsim: 1 }]]));
    const byQuality: PromptResult['byQuality'] = {};
    for (const quality of qualities) {
      const fixed = await fixedAt(i, model.calibration.outOfFold[quality]?.uniformSteps ?? referenceSteps);
      const promptOnly = await fixedAt(i, predictBudget(model, pooled, quality).predictedSteps);
      const entry: Partial<Record<MethodName, Measured>> = { fixed, promptOnly };
      if (model.online) {
        const { budget, stop } = predictOnlineBudget(model, pooled, quality);
        if (stop) {
          const r = await renderAt(c, budget.predictedSteps, { earlyStop: stop });
          entry.online = { steps: r.steps, ...compare(r.images[0], i) };
        } else {
          entry.online = await fixedAt(i, budget.predictedSteps);
        }
      }
      byQuality[quality] = entry;
    }
    perPrompt.push({ prompt, seed, byQuality });
    const text = qualities.map((q) => {
      const e = byQuality[q];
      const online = e.online ? `, online ${e.online.steps} (${e.online.ssim.toFixed(3)})` : '';
      return `${q} prompt ${e.promptOnly!.steps} (${e.promptOnly!.ssim.toFixed(3)})${online}`;
    }).join('; ');
    log(`[${i + 1}/${cases.length}] ${text}  ${prompt}${seeds.length > 1 ? ` (seed ${seed})` : ''}`);
  }

  const reports: QualityReport[] = [];
  for (const quality of qualities) {
    const target = model.rule.targets[quality];
    // The best fixed count with hindsight: the fewest grid steps meeting the target on these prompts.
    let bestFixedSteps = referenceSteps;
    for (const steps of model.stepGrid) {
      const runs: Measured[] = [];
      for (let i = 0; i < cases.length; i++) runs.push(await fixedAt(i, steps));
      if (meetsTarget(runs.map((r) => r.ssim), target)) {
        bestFixedSteps = steps;
        break;
      }
    }
    log(`${quality}: the best fixed step count meeting SSIM ${target} on these prompts is ${bestFixedSteps}`);
    for (const [i, p] of perPrompt.entries()) p.byQuality[quality].bestFixed = await fixedAt(i, bestFixedSteps);
    const methods = (['fixed', 'bestFixed', 'promptOnly', 'online'] as const)
      .filter((m) => perPrompt.every((p) => p.byQuality[quality][m]))
      .map((m) => summariseMethod(m, perPrompt.map((p) => p.byQuality[quality][m]!), target, referenceSteps, bestFixedSteps));
    reports.push({ quality, target, fixedSteps: model.calibration.outOfFold[quality]?.uniformSteps ?? referenceSteps, bestFixedSteps, methods });
  }
  const balanced = reports.find((r) => r.quality === 'balanced');
  const goals = (balanced?.methods ?? [])
    .filter((m) => m.method === 'promptOnly' || m.method === 'online')
    .map((m) => ({
      method: m.method,
      unetSavedPct: m.unetSavedPct,
      meanSsim: m.meanSsim,
      shareBelow090: m.shareBelow090,
      fewerThanBestFixedPct: m.fewerThanBestFixedPct,
      met: m.unetSavedPct >= 35 && m.meanSsim >= 0.95 && m.shareBelow090 <= 0.05 && m.fewerThanBestFixedPct >= 15,
    }));
  return {
    modelId: model.modelId,
    createdAt: new Date().toISOString(),
    prompts: options.prompts.length,
    width: size,
    height: size,
    seeds,
    referenceSteps,
    msPerStep: unetSteps > 0 ? unetMs / unetSteps : 0,
    qualities: reports,
    goals,
    perPrompt,
  };
}
