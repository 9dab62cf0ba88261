/**
 * One calibration measurement (worker side): render a prompt with the calibration seed at every step
 * count of the grid, measure its curves against the largest-step render, and trace the shorter
 * schedules for the online stopping rule. A traced schedule is the same render as its grid point
 * (no extra UNet call); the pipeline reports after every step from `traceFrom` on the projected x0
 * change and decodes the picture an early stop would give, whose SSIM to the reference is measured
 * once the reference has been rendered (it comes last). The picture at the schedule's own last step
 * is the grid render itself.
 */
import { cosine, type ClipImageScorer } from './clip-image.js';
import { measureCurves, type CurveRecord, type OnlineTrace } from '../core/budget/curve-record.js';
import { ssim } from '../core/budget/ssim.js';
import type { RgbImage } from '../core/image.js';
import type { EarlyStopRequest } from '../diffusion/render-types.js';
import type { BudgetRenderer } from './calibrate.js';

/** Schedules longer than this share of the reference cannot save what a budget is for: not traced. */
export const TRACE_FRACTION = 0.6;

export type MeasureBase = Omit<CurveRecord, 'prompt' | 'split' | 'ssim' | 'msSsim' | 'lsnr' | 'lsnrAbs' | 'clip' | 'pooled' | 'unetMs' | 'online' | 'build'>;

export interface MeasureOptions {
  clip?: ClipImageScorer | null;
  /** Grid steps whose schedules are traced (traceSchedules). */
  trace?: readonly number[];
  /** First step the online rule may stop at (the model's minimum, at least 2). */
  traceFrom?: number;
}

/** The grid schedules worth tracing: below TRACE_FRACTION of the reference, with room to stop early. */
export function traceSchedules(grid: readonly number[], from: number): number[] {
  const reference = grid[grid.length - 1];
  return grid.filter((s) => s > from && s < reference && s <= TRACE_FRACTION * reference);
}

interface PendingTrace {
  steps: number;
  from: number;
  projected: (number | null)[];
  images: RgbImage[];
}

function tracer(trace: PendingTrace): EarlyStopRequest {
  return {
    minSteps: trace.from,
    threshold: 0,
    observe: async ({ step, projected, finish }) => {
      if (step >= trace.steps) return; // the last step's picture is the grid render itself
      trace.projected.push(Number.isFinite(projected[0]) ? projected[0] : null);
      trace.images.push((await finish())[0]);
    },
  };
}

/** Renders one prompt at every grid step and measures its curves (and traces, when asked). */
export async function measurePrompt(renderer: BudgetRenderer, base: MeasureBase, prompt: string, split: CurveRecord['split'], options: MeasureOptions = {}): Promise<CurveRecord> {
  const pooled = await renderer.encodePooled(prompt);
  const images: RgbImage[] = [];
  const unetMs: number[] = [];
  const pending: PendingTrace[] = [];
  const traceFrom = Math.max(2, options.traceFrom ?? 2);
  for (const steps of base.steps) {
    const trace = options.trace?.includes(steps) ? { steps, from: traceFrom, projected: [], images: [] } : undefined;
    const result = await renderer.render({
      prompt,
      seed: base.seed,
      steps,
      guidance: base.guidance,
      width: base.width,
      height: base.height,
      variants: 1,
      ...(trace ? { earlyStop: tracer(trace) } : {}),
    });
    images.push(result.images[0]);
    unetMs.push(result.timings.unetMs);
    if (trace && trace.images.length > 0) pending.push(trace);
  }
  const curves = measureCurves(images);
  const reference = images[images.length - 1];
  // A render upscaled from the model's native size traces native-size pictures: not comparable, skipped.
  const comparable = pending.filter((t) => t.images.every((img) => img.width === reference.width && img.height === reference.height));
  const online: OnlineTrace[] = comparable.map((t) => {
    const full = curves.ssim[base.steps.indexOf(t.steps)];
    // The final step: its projected change is 0 by construction (timestep -> 0) and its picture is the grid render.
    return { steps: t.steps, from: t.from, projected: [...t.projected, 0], ssim: [...t.images.map((img) => ssim(img, reference)), full] };
  });
  let clipCurve: number[] | undefined;
  if (options.clip) {
    const embeddings = [];
    for (const img of images) embeddings.push(await options.clip.embed(img));
    const ref = embeddings[embeddings.length - 1];
    clipCurve = embeddings.map((e) => cosine(e, ref));
  }
  return {
    ...base,
    prompt,
    split,
    ...curves,
    ...(clipCurve ? { clip: clipCurve } : {}),
    pooled: Array.from(pooled),
    unetMs,
    ...(options.trace?.length ? { online } : {}),
  };
}
