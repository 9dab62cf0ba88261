/**
 * How a set of step choices did against the reference renders: mean steps, mean and 5th-percentile
 * SSIM, the share under 0.90, and the target test every tuning and every baseline shares (mean SSIM
 * at least the level's target, at most TAIL_SHARE of prompts under target - TAIL_MARGIN; for
 * "balanced", target 0.95, that is exactly the goal "mean SSIM >= 0.95, <= 5% under 0.90"). Fits tune
 * against the stricter FIT_TAIL_SHARE so that the goal still holds on prompts they never saw.
 */

/** Share of prompts allowed below target - TAIL_MARGIN. */
export const TAIL_SHARE = 0.05;
export const TAIL_MARGIN = 0.05;
/**
 * The share a fit aims at: half the goal's. A threshold tuned to exactly TAIL_SHARE on the training
 * prompts sits on the boundary, and new prompts land on either side of it (storybook, step 9,970: 4.5%
 * out of fold in the fit, 8.1% on the held-out prompts). With ~130 training prompts, 2.5% is also about
 * what a one-sided 90% Wilson bound allows for a true share of 5% (3 prompts of 133), but unlike that
 * bound it stays usable for the small calibrations of tests and toy models.
 */
export const FIT_TAIL_SHARE = 0.025;

export interface ChoiceSummary {
  meanSteps: number;
  meanSsim: number;
  p5Ssim: number;
  shareBelow090: number;
}

/** Percentile by linear interpolation between order statistics (Hyndman & Fan type 7). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  return s[lo] + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]) - s[lo]);
}

export function summarise(steps: readonly number[], ssims: readonly number[]): ChoiceSummary {
  const n = ssims.length;
  return {
    meanSteps: steps.reduce((s, v) => s + v, 0) / n,
    meanSsim: ssims.reduce((s, v) => s + v, 0) / n,
    p5Ssim: percentile(ssims, 0.05),
    shareBelow090: ssims.filter((v) => v < 0.9).length / n,
  };
}

/** Mean SSIM >= target and at most `tailShare` of the values under target - TAIL_MARGIN. */
export function meetsTarget(ssims: readonly number[], target: number, tailShare = TAIL_SHARE): boolean {
  if (ssims.length === 0) return false;
  const mean = ssims.reduce((s, v) => s + v, 0) / ssims.length;
  // The epsilon keeps an exact share (1 of 40 = 0.025) on the allowed side despite float division.
  return mean >= target && ssims.filter((v) => v < target - TAIL_MARGIN).length / ssims.length <= tailShare + 1e-12;
}
