/**
 * Fits the online stopping rule (online-stop.ts) from the same calibration renders as the prompt
 * prior (pure: no renders, no files). Calibration traced the shorter schedules step by step: the
 * projected x0 change after each step and the SSIM of the picture an early stop there would give.
 * For each quality level two numbers are tuned together on the training prompts, with the prior's
 * out-of-fold curve predictions (so no prompt's own curve informs its schedule):
 *   - the prior threshold, which sets the schedule length from the predicted curve (budget-rule.ts),
 *   - the stop threshold on the projected change.
 * The pair chosen is the one with the fewest mean steps whose simulated results meet the same target
 * as the prompt-only rule (mean SSIM >= target, at most FIT_TAIL_SHARE of prompts under target - 0.05). A stop
 * threshold of 0 never stops, so the prompt-only rule is always among the candidates and the online
 * rule can only match or beat it on these prompts; the held-out evaluation says whether that holds.
 */
import { BUDGET_QUALITIES, chooseSteps, clampSteps, type BudgetQuality, type BudgetRule, type StepRange } from './budget-rule.js';
import type { OnlineRuleFit } from './budget-model.js';
import type { OnlineTrace } from './curve-record.js';
import { FIT_TAIL_SHARE, meetsTarget, percentile, summarise, type ChoiceSummary } from './choice-summary.js';
import { lowerBoundSteps } from './online-stop.js';

/** One training prompt as the fit sees it. */
export interface OnlineSample {
  /** Out-of-fold predicted SSIM at each grid step. */
  predicted: readonly number[];
  /** Measured SSIM at each grid step (full schedules). */
  measured: readonly number[];
  traces: readonly OnlineTrace[];
}

export interface OnlineFitOptions {
  grid: readonly number[];
  targets: Record<BudgetQuality, number>;
  rule: Pick<BudgetRule, 'plateauSlope' | 'plateauFloor'>;
  range: StepRange;
  /** The SSIM curve's cross-validated RMSE (for the lower bound). */
  rmse: number;
  /** Default 2: a one-sided ~98% optimistic reading of the prediction. */
  lowerBoundSigmas?: number;
}

export const LOWER_BOUND_SIGMAS = 2;

interface Plan {
  schedule: number;
  lower: number;
  trace: OnlineTrace | undefined;
  fullSsim: number;
}

/** Steps run and SSIM reached for one prompt's plan at a stop threshold. */
function runPlan(plan: Plan, stopThreshold: number): { steps: number; ssim: number } {
  const t = plan.trace;
  if (t && stopThreshold > 0) {
    for (let j = Math.max(0, plan.lower - t.from); j < t.projected.length; j++) {
      const p = t.projected[j];
      if (p !== null && p < stopThreshold) return { steps: t.from + j, ssim: t.ssim[j] };
    }
  }
  return { steps: plan.schedule, ssim: plan.fullSsim };
}

/** Simulates prompt prior + online rule on the samples. */
export function simulateOnline(samples: readonly OnlineSample[], opts: OnlineFitOptions, quality: BudgetQuality, priorThreshold: number, stopThreshold: number): { steps: number[]; ssims: number[] } {
  const plans = planAll(samples, opts, quality, priorThreshold);
  const runs = plans.map((p) => runPlan(p, stopThreshold));
  return { steps: runs.map((r) => r.steps), ssims: runs.map((r) => r.ssim) };
}

function planAll(samples: readonly OnlineSample[], opts: OnlineFitOptions, quality: BudgetQuality, priorThreshold: number): Plan[] {
  const sigmas = opts.lowerBoundSigmas ?? LOWER_BOUND_SIGMAS;
  return samples.map((s) => {
    const curve = opts.grid.map((steps, g) => ({ steps, ssim: Math.min(1, s.predicted[g]) }));
    const schedule = clampSteps(chooseSteps(curve, priorThreshold, opts.rule).steps, opts.range);
    const g = opts.grid.indexOf(schedule);
    return {
      schedule,
      lower: lowerBoundSteps(curve, opts.targets[quality], opts.rmse, sigmas, opts.range, schedule),
      trace: s.traces.find((t) => t.steps === schedule),
      fullSsim: g >= 0 ? s.measured[g] : s.measured[s.measured.length - 1],
    };
  });
}

/** Stop-threshold candidates: 0 (never stop) and 100 quantiles of the projected changes seen. */
export function stopCandidates(samples: readonly OnlineSample[]): number[] {
  const seen = samples.flatMap((s) => s.traces.flatMap((t) => t.projected.filter((p): p is number => p !== null)));
  if (seen.length === 0) return [0];
  const out = new Set<number>([0]);
  for (let q = 1; q <= 100; q++) out.add(percentile(seen, q / 100) * (1 + 1e-9));
  return [...out].sort((a, b) => a - b);
}

/** Tunes every level's pair of thresholds; null when no sample has a trace. */
export function fitOnlineRule(samples: readonly OnlineSample[], opts: OnlineFitOptions): OnlineRuleFit | null {
  if (!samples.some((s) => s.traces.length > 0)) return null;
  const taus = stopCandidates(samples);
  const maxScheduledSteps = Math.max(...samples.flatMap((s) => s.traces.map((t) => t.steps)));
  const levels = {} as Record<BudgetQuality, ChoiceSummary & { priorThreshold: number; stopThreshold: number }>;
  for (const quality of BUDGET_QUALITIES) {
    const target = opts.targets[quality];
    let best: { summary: ChoiceSummary; priorThreshold: number; stopThreshold: number } | undefined;
    for (let k = 0; k <= 200; k++) {
      const priorThreshold = Math.round((0.5 + k * 0.0025) * 10000) / 10000;
      const plans = planAll(samples, opts, quality, priorThreshold);
      for (const tau of taus) {
        const runs = plans.map((p) => runPlan(p, tau));
        const ssims = runs.map((r) => r.ssim);
        if (!meetsTarget(ssims, target, FIT_TAIL_SHARE)) continue;
        const summary = summarise(runs.map((r) => r.steps), ssims);
        const better = !best || summary.meanSteps < best.summary.meanSteps - 1e-9
          || (Math.abs(summary.meanSteps - best.summary.meanSteps) <= 1e-9 && summary.meanSsim > best.summary.meanSsim);
        if (better) best = { summary, priorThreshold, stopThreshold: tau };
      }
    }
    // Nothing meets the target: the strictest prior without stopping (what prompt-only falls back to).
    if (!best) {
      const fallback = simulateOnline(samples, opts, quality, 1, 0);
      best = { priorThreshold: 1, stopThreshold: 0, summary: summarise(fallback.steps, fallback.ssims) };
    }
    levels[quality] = { ...best.summary, priorThreshold: best.priorThreshold, stopThreshold: best.stopThreshold };
  }
  return { lowerBoundSigmas: opts.lowerBoundSigmas ?? LOWER_BOUND_SIGMAS, maxScheduledSteps, levels };
}
