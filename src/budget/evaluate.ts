/**
 * Evaluation of a fitted budget.json on held-out prompts (never seen by the fit): for each prompt,
 * predict the budget from its pooled encoding, render at that budget and at the reference step count
 * with the same seed, and compare. Reports what the issue asks for: mean steps against a fixed
 * reference (UNet evaluations saved), mean and 5th-percentile SSIM to the reference render, and the
 * share of prompts under 0.90. The seed differs from calibration's by default, because at run time
 * budgets are predicted for seeds the calibration never rendered.
 */
import type { BudgetModel } from '../core/budget/budget-model.js';
import { BUDGET_QUALITIES, type BudgetQuality } from '../core/budget/budget-rule.js';
import { percentile } from '../core/budget/fit-budget-model.js';
import { msSsim } from '../core/budget/ms-ssim.js';
import { ssim } from '../core/budget/ssim.js';
import type { RgbImage } from '../core/image.js';
import type { BudgetRenderer } from './calibrate.js';
import { predictBudget } from './step-budget.js';

export const EVALUATION_SEED = 4321;

export interface EvaluateOptions {
  prompts: readonly string[];
  qualities?: readonly BudgetQuality[];
  size?: number;
  seed?: number;
  guidance?: number;
  log?: (line: string) => void;
}

export interface QualityReport {
  quality: BudgetQuality;
  /** The level's SSIM target (mean) from budget.json. */
  target: number;
  meanSteps: number;
  minSteps: number;
  maxSteps: number;
  /** 1 - meanSteps / referenceSteps, in percent. */
  unetSavedPct: number;
  meanSsim: number;
  p5Ssim: number;
  shareBelow090: number;
  meanMsSsim: number;
  /** The same level with one fixed step count for all prompts (from calibration), for comparison. */
  uniform: { steps: number; unetSavedPct: number; meanSsim: number; p5Ssim: number; shareBelow090: number };
}

interface Measured {
  steps: number;
  ssim: number;
  msSsim: number;
}

export interface PromptResult {
  prompt: string;
  budgets: Record<string, Measured>;
  uniform: Record<string, Measured>;
}

export interface EvaluationReport {
  modelId: string;
  createdAt: string;
  prompts: number;
  width: number;
  height: number;
  seed: number;
  referenceSteps: number;
  /** UNet ms per step measured during this evaluation. */
  msPerStep: number;
  qualities: QualityReport[];
  /** The goal, judged on the balanced level. */
  goal: { unetSavedPct: number; meanSsim: number; shareBelow090: number; met: boolean } | null;
  perPrompt: PromptResult[];
}

const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;

/** The calibrated fixed-step baseline of a quality level (the reference when budget.json lacks it). */
function uniformStepsFor(model: BudgetModel, quality: BudgetQuality): number {
  return model.calibration.outOfFold[quality]?.uniformSteps ?? model.defaultSteps;
}

/** Renders held-out prompts at their budgets and at the reference, and measures the difference. */
export async function evaluateBudget(renderer: BudgetRenderer, model: BudgetModel, options: EvaluateOptions): Promise<EvaluationReport> {
  const log = options.log ?? (() => {});
  const qualities = options.qualities ?? BUDGET_QUALITIES;
  const size = options.size ?? model.calibration.width;
  const seed = options.seed ?? EVALUATION_SEED;
  const guidance = options.guidance ?? model.calibration.guidance;
  const referenceSteps = model.defaultSteps;
  let unetMs = 0;
  let unetSteps = 0;
  const renderAt = async (prompt: string, steps: number): Promise<RgbImage> => {
    const r = await renderer.render({ prompt, seed, steps, guidance, width: size, height: size, variants: 1 });
    unetMs += r.timings.unetMs;
    unetSteps += steps;
    return r.images[0];
  };
  const perPrompt: PromptResult[] = [];
  for (const [i, prompt] of options.prompts.entries()) {
    const pooled = await renderer.encodePooled(prompt);
    const reference = await renderAt(prompt, referenceSteps);
    const bySteps = new Map<number, { ssim: number; msSsim: number }>([[referenceSteps, { ssim: 1, msSsim: 1 }]]);
    const measureAt = async (steps: number): Promise<Measured> => {
      let m = bySteps.get(steps);
      if (!m) {
        const img = await renderAt(prompt, steps);
        m = { ssim: ssim(img, reference), msSsim: msSsim(img, reference) };
        bySteps.set(steps, m);
      }
      return { steps, ...m };
    };
    const budgets: PromptResult['budgets'] = {};
    const uniform: PromptResult['uniform'] = {};
    for (const quality of qualities) {
      budgets[quality] = await measureAt(predictBudget(model, pooled, quality).predictedSteps);
      uniform[quality] = await measureAt(uniformStepsFor(model, quality));
    }
    perPrompt.push({ prompt, budgets, uniform });
    const text = qualities.map((q) => `${q} ${budgets[q].steps} (${budgets[q].ssim.toFixed(3)})`).join(', ');
    log(`[${i + 1}/${options.prompts.length}] ${text}  ${prompt}`);
  }
  const reports = qualities.map((quality): QualityReport => {
    const steps = perPrompt.map((p) => p.budgets[quality].steps);
    const ssims = perPrompt.map((p) => p.budgets[quality].ssim);
    const meanSteps = steps.reduce((s, v) => s + v, 0) / steps.length;
    const uniformSsims = perPrompt.map((p) => p.uniform[quality].ssim);
    const uniformSteps = uniformStepsFor(model, quality);
    return {
      quality,
      target: model.rule.targets[quality],
      meanSteps,
      minSteps: Math.min(...steps),
      maxSteps: Math.max(...steps),
      unetSavedPct: 100 * (1 - meanSteps / referenceSteps),
      meanSsim: ssims.reduce((s, v) => s + v, 0) / ssims.length,
      p5Ssim: percentile(ssims, 0.05),
      shareBelow090: ssims.filter((v) => v < 0.9).length / ssims.length,
      meanMsSsim: perPrompt.reduce((s, p) => s + p.budgets[quality].msSsim, 0) / perPrompt.length,
      uniform: {
        steps: uniformSteps,
        unetSavedPct: 100 * (1 - uniformSteps / referenceSteps),
        meanSsim: mean(uniformSsims),
        p5Ssim: percentile(uniformSsims, 0.05),
        shareBelow090: uniformSsims.filter((v) => v < 0.9).length / uniformSsims.length,
      },
    };
  });
  const balanced = reports.find((r) => r.quality === 'balanced');
  return {
    modelId: model.modelId,
    createdAt: new Date().toISOString(),
    prompts: perPrompt.length,
    width: size,
    height: size,
    seed,
    referenceSteps,
    msPerStep: unetSteps > 0 ? unetMs / unetSteps : 0,
    qualities: reports,
    goal: balanced
      ? {
          unetSavedPct: balanced.unetSavedPct,
          meanSsim: balanced.meanSsim,
          shareBelow090: balanced.shareBelow090,
          met: balanced.unetSavedPct >= 35 && balanced.meanSsim >= 0.95 && balanced.shareBelow090 <= 0.05,
        }
      : null,
    perPrompt,
  };
}

/** A Markdown summary the README can quote. */
export function formatEvaluationMarkdown(report: EvaluationReport, model: BudgetModel): string {
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const lines = [
    `# Step budgets on \`${report.modelId}\``,
    '',
    `Held-out prompts: ${report.prompts} (calibrated on ${model.calibration.trainPrompts} training prompts), ` +
      `${report.width}x${report.height} px, seed ${report.seed} (calibration seed ${model.calibration.seed}), ` +
      `scheduler ${model.scheduler}, reference ${report.referenceSteps} steps, step grid ${model.stepGrid.join(', ')}.`,
    '',
    '| quality | SSIM target | predicted-SSIM threshold | mean steps (min-max) | UNet evaluations saved | mean SSIM | 5th pct SSIM | share < 0.90 | mean MS-SSIM |',
    '|---|---|---|---|---|---|---|---|---|',
    ...report.qualities.map(
      (q) =>
        `| ${q.quality} | ${q.target.toFixed(2)} | ${model.rule.thresholds[q.quality].toFixed(4)} | ${q.meanSteps.toFixed(1)} (${q.minSteps}-${q.maxSteps}) | ` +
        `${q.unetSavedPct.toFixed(1)}% | ${q.meanSsim.toFixed(4)} | ${q.p5Ssim.toFixed(4)} | ${pct(q.shareBelow090)} | ${q.meanMsSsim.toFixed(4)} |`,
    ),
    '',
    'Baseline: one fixed step count per level for every prompt (the fewest grid steps meeting the same target on the training prompts):',
    '',
    '| quality | fixed steps | UNet evaluations saved | mean SSIM | 5th pct SSIM | share < 0.90 |',
    '|---|---|---|---|---|---|',
    ...report.qualities.map(
      (q) =>
        `| ${q.quality} | ${q.uniform.steps} | ${q.uniform.unetSavedPct.toFixed(1)}% | ${q.uniform.meanSsim.toFixed(4)} | ${q.uniform.p5Ssim.toFixed(4)} | ${pct(q.uniform.shareBelow090)} |`,
    ),
    '',
    ...report.qualities.map((q) => {
      const diff = 100 * (1 - q.meanSteps / q.uniform.steps);
      const word = diff >= 0 ? `${diff.toFixed(1)}% fewer` : `${(-diff).toFixed(1)}% more`;
      return `- ${q.quality}: the predicted budgets use ${word} steps than the fixed ${q.uniform.steps}, at mean SSIM ${q.meanSsim.toFixed(4)} vs ${q.uniform.meanSsim.toFixed(4)}.`;
    }),
    '',
  ];
  if (report.goal) {
    lines.push(
      `Goal (balanced): >= 35% fewer UNet evaluations than a fixed ${report.referenceSteps}, mean SSIM >= 0.95, <= 5% under 0.90: ` +
        `${report.goal.met ? 'met' : 'NOT met'} (${report.goal.unetSavedPct.toFixed(1)}%, ${report.goal.meanSsim.toFixed(4)}, ${pct(report.goal.shareBelow090)}).`,
      '',
    );
  }
  const cv = Object.entries(model.curves).map(([k, v]) => `${k} ${v!.cvRmse.toFixed(4)} (lambda ${v!.lambda.toPrecision(2)})`);
  lines.push(`Predictor: ridge on the ${model.features.normalise === 'l2' ? 'L2-normalised ' : ''}pooled text encoding; cross-validated RMSE per curve: ${cv.join(', ')}.`, '');
  lines.push(`UNet time per step during evaluation: ${report.msPerStep.toFixed(2)} ms. Generated ${report.createdAt} by \`npm run budget:eval\`.`, '');
  return lines.join('\n');
}
