/**
 * Fits the online stopping rule (online-stop.ts) from the same calibration renders as the prompt
 * prior (pure: no renders, no files). Calibration traced the shorter schedules step by step: the
 * projected x0 change after each step and the SSIM of the picture an early stop there would give.
 * For each quality level two numbers are tuned together on the training prompts, with the prior's
 * out-of-fold curve predictions (so no prompt's own curve informs its schedule):
 *   - the prior threshold, which sets the schedule length from the predicted curve (budget-rule.ts),
 *   - the stop threshold on the projected change.
 * The pair chosen is the one with the fewest mean steps whose simulated results meet the same target
 * as the prompt-only rule (mean SSIM >= target, at most FIT_TAIL_SHARE of prompts under target - 0.05),
 * made stricter (STRICTNESS) until a 5-fold cross-validation over prompts says the choice holds on
 * prompts it did not see. A stop threshold of 0 never stops, so the prompt-only rule is always among
 * the candidates; the held-out evaluation says whether the online rule beats it on new prompts.
 */
import { BUDGET_QUALITIES, chooseSteps, clampSteps, type BudgetQuality, type BudgetRule, type StepRange } from './budget-rule.js';
import type { OnlineRuleFit } from './budget-model.js';
import type { OnlineTrace } from './curve-record.js';
import { FIT_TAIL_SHARE, meetsTarget, percentile, summarise, TAIL_MARGIN } from './choice-summary.js';
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

/**
 * How strict the in-fold choice is, loosest first: a margin on the mean SSIM it must reach and the tail
 * share it may allow. Choosing the fewest-steps pair among ~20,000 on the same prompts that judge it
 * picks the pair that was lucky on those prompts (storybook, step 9,970: 0.957 and 1.5% in the fit,
 * 0.950 and 8.1% on held-out prompts). Cross-validation over prompts says how strict the choice must be
 * for its result to hold on prompts it did not see.
 */
export const STRICTNESS: readonly { meanMargin: number; tailShare: number }[] = [
  { meanMargin: 0, tailShare: FIT_TAIL_SHARE },
  { meanMargin: 0.0025, tailShare: FIT_TAIL_SHARE },
  { meanMargin: 0.005, tailShare: 0.02 },
  { meanMargin: 0.0075, tailShare: 0.015 },
  { meanMargin: 0.01, tailShare: 0.01 },
  { meanMargin: 0.015, tailShare: 0.005 },
  { meanMargin: 0.02, tailShare: 0 },
  { meanMargin: 0.03, tailShare: 0 },
];

/** Folds of the cross-validation over prompts (sample i in fold i mod FOLDS). */
export const FOLDS = 5;

const PRIOR_THRESHOLDS = Array.from({ length: 201 }, (_, k) => Math.round((0.5 + k * 0.0025) * 10000) / 10000);

/**
 * Every candidate pair's result on every sample, run once, with per-fold sums, so that the choice on
 * any set of folds is a pass over the pairs. Pair p = prior index * taus + tau index.
 */
class PairTable {
  readonly steps: Float64Array;
  readonly ssim: Float64Array;
  private readonly sums: Float64Array; // [pair][fold] x (steps, ssim, tail count)
  readonly foldSize: number[];
  private readonly n: number;

  constructor(samples: readonly OnlineSample[], opts: OnlineFitOptions, quality: BudgetQuality, readonly taus: readonly number[], readonly folds: number) {
    const n = (this.n = samples.length);
    const pairs = PRIOR_THRESHOLDS.length * taus.length;
    const tail = opts.targets[quality] - TAIL_MARGIN;
    this.steps = new Float64Array(pairs * n);
    this.ssim = new Float64Array(pairs * n);
    this.sums = new Float64Array(pairs * folds * 3);
    this.foldSize = Array.from({ length: folds }, (_, f) => samples.filter((_, i) => i % folds === f).length);
    PRIOR_THRESHOLDS.forEach((prior, k) => {
      const plans = planAll(samples, opts, quality, prior);
      taus.forEach((tau, j) => {
        const p = k * taus.length + j;
        plans.forEach((plan, i) => {
          const run = runPlan(plan, tau);
          this.steps[p * n + i] = run.steps;
          this.ssim[p * n + i] = run.ssim;
          const at = (p * folds + (i % folds)) * 3;
          this.sums[at] += run.steps;
          this.sums[at + 1] += run.ssim;
          if (run.ssim < tail) this.sums[at + 2]++;
        });
      });
    });
  }

  get pairs(): number {
    return PRIOR_THRESHOLDS.length * this.taus.length;
  }

  /**
   * The pair with the fewest mean steps (ties: the higher mean SSIM, then the first) meeting the target
   * raised by the strictness on every fold but `leftOut` (-1: all); undefined when none does.
   */
  choose(leftOut: number, target: number, strict: { meanMargin: number; tailShare: number }): number | undefined {
    const n = this.foldSize.reduce((a, b, f) => a + (f === leftOut ? 0 : b), 0);
    if (n === 0) return undefined;
    let best: { pair: number; steps: number; ssim: number } | undefined;
    for (let p = 0; p < this.pairs; p++) {
      let steps = 0;
      let ssim = 0;
      let tail = 0;
      for (let f = 0; f < this.folds; f++) {
        if (f === leftOut) continue;
        const at = (p * this.folds + f) * 3;
        steps += this.sums[at];
        ssim += this.sums[at + 1];
        tail += this.sums[at + 2];
      }
      steps /= n;
      ssim /= n;
      // the same test as meetsTarget, with its epsilon for exact shares
      if (ssim < target + strict.meanMargin || tail / n > strict.tailShare + 1e-12) continue;
      if (!best || steps < best.steps - 1e-9 || (Math.abs(steps - best.steps) <= 1e-9 && ssim > best.ssim)) best = { pair: p, steps, ssim };
    }
    return best?.pair;
  }

  /** The pair's steps and SSIM on the samples of one fold (-1: all). */
  results(pair: number, fold: number): { steps: number[]; ssims: number[] } {
    const n = this.n;
    const steps: number[] = [];
    const ssims: number[] = [];
    for (let i = 0; i < n; i++) {
      if (fold >= 0 && i % this.folds !== fold) continue;
      steps.push(this.steps[pair * n + i]);
      ssims.push(this.ssim[pair * n + i]);
    }
    return { steps, ssims };
  }
}

/**
 * Tunes every level's pair of thresholds; null when no sample has a trace. For each level the
 * strictness is the loosest whose choices, made on four folds of the prompts and run on the fifth,
 * meet the level's target (at FIT_TAIL_SHARE) pooled over the five; the pair is then chosen on all
 * prompts at that strictness, and that pooled out-of-fold result is kept as `crossValidated`.
 */
export function fitOnlineRule(samples: readonly OnlineSample[], opts: OnlineFitOptions): OnlineRuleFit | null {
  if (!samples.some((s) => s.traces.length > 0)) return null;
  const taus = stopCandidates(samples);
  const maxScheduledSteps = Math.max(...samples.flatMap((s) => s.traces.map((t) => t.steps)));
  const folds = Math.min(FOLDS, samples.length);
  // Nothing meets the target: the strictest prior without stopping (what prompt-only falls back to).
  const fallback = (PRIOR_THRESHOLDS.length - 1) * taus.length + taus.indexOf(0);
  const levels = {} as OnlineRuleFit['levels'];
  for (const quality of BUDGET_QUALITIES) {
    const target = opts.targets[quality];
    const table = new PairTable(samples, opts, quality, taus, folds);
    let chosen = STRICTNESS.length - 1;
    let held = false;
    let outOfFold = { steps: [] as number[], ssims: [] as number[] };
    for (const [level, strict] of STRICTNESS.entries()) {
      const pooled = { steps: [] as number[], ssims: [] as number[] };
      for (let f = 0; f < folds; f++) {
        const r = table.results(table.choose(f, target, strict) ?? fallback, f);
        pooled.steps.push(...r.steps);
        pooled.ssims.push(...r.ssims);
      }
      outOfFold = pooled;
      if (folds < 2 || meetsTarget(pooled.ssims, target, FIT_TAIL_SHARE)) {
        chosen = level;
        held = folds >= 2;
        break;
      }
    }
    const pair = table.choose(-1, target, STRICTNESS[chosen]!) ?? fallback;
    const all = table.results(pair, -1);
    levels[quality] = {
      ...summarise(all.steps, all.ssims),
      priorThreshold: PRIOR_THRESHOLDS[Math.floor(pair / taus.length)]!,
      stopThreshold: taus[pair % taus.length]!,
      // Fewer than two prompts cannot be cross-validated: nothing to report.
      ...(folds >= 2 ? { crossValidated: { ...summarise(outOfFold.steps, outOfFold.ssims), ...STRICTNESS[chosen]!, held } } : {}),
    };
  }
  return { lowerBoundSigmas: opts.lowerBoundSigmas ?? LOWER_BOUND_SIGMAS, maxScheduledSteps, levels };
}
