/**
 * One calibration measurement: a prompt rendered with a fixed seed at every step count of the grid,
 * and its perceptual curves against the render at the largest step count (the reference), in the
 * spirit of BudgetFusion's time-series metrics (arXiv 2412.05780, section 3). Records are lines of
 * budget-curves.jsonl next to the model; they also carry the prompt's pooled text encoding so the
 * predictor can be refitted without loading the model again.
 */
import { z } from 'zod';
import type { RgbImage } from '../image.js';
import { laplacianSnr } from './laplacian-snr.js';
import { msSsim } from './ms-ssim.js';
import { ssim } from './ssim.js';

const finite = z.number().finite();

/**
 * One calibration render traced for the online stopping rule (online-stop.ts): a schedule of `steps`
 * steps, and at every step k from `from` on the projected x0 change (null = infinite) and the SSIM to
 * the reference of the picture the run would end on if it stopped after k steps.
 */
export const onlineTraceSchema = z.object({
  steps: z.number().int().positive(),
  from: z.number().int().positive(),
  projected: z.array(finite.nullable()),
  ssim: z.array(finite),
});
export type OnlineTrace = z.infer<typeof onlineTraceSchema>;

export const curveRecordSchema = z.object({
  v: z.literal(1),
  modelId: z.string(),
  /** modelBuildId of the folder that was measured (src/budget/model-build.ts); absent in old records. */
  build: z.string().optional(),
  prompt: z.string(),
  split: z.enum(['train', 'heldout']),
  seed: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  guidance: finite,
  scheduler: z.string(),
  steps: z.array(z.number().int().positive()),
  /** SSIM of each render to the reference (1 at the reference). */
  ssim: z.array(finite),
  msSsim: z.array(finite),
  /** L-SNR of each render minus the reference's, in dB (0 at the reference). */
  lsnr: z.array(finite),
  /** L-SNR of each render in dB, for inspection. */
  lsnrAbs: z.array(finite),
  /** CLIP image cosine to the reference, when a CLIP vision model was installed. */
  clip: z.array(finite).optional(),
  pooled: z.array(finite),
  /** UNet milliseconds of each render. */
  unetMs: z.array(z.number().nonnegative()),
  /** Traces of the shorter schedules for the online rule; absent in old records. */
  online: z.array(onlineTraceSchema).optional(),
});

export type CurveRecord = z.infer<typeof curveRecordSchema>;

/** The settings that make two records comparable (and a cached record reusable). */
export function curveKey(r: Pick<CurveRecord, 'modelId' | 'prompt' | 'seed' | 'width' | 'height' | 'guidance' | 'scheduler' | 'steps'>): string {
  return JSON.stringify([r.modelId, r.prompt, r.seed, r.width, r.height, r.guidance, r.scheduler, r.steps]);
}

export interface MeasuredCurves {
  ssim: number[];
  msSsim: number[];
  lsnr: number[];
  lsnrAbs: number[];
}

/** Metrics of each render against the last one (the largest step count, the reference). */
export function measureCurves(images: readonly RgbImage[]): MeasuredCurves {
  if (images.length === 0) throw new RangeError('need at least one render');
  const reference = images[images.length - 1];
  const refSnr = laplacianSnr(reference);
  const lsnrAbs = images.map((img) => laplacianSnr(img));
  return {
    ssim: images.map((img) => (img === reference ? 1 : ssim(img, reference))),
    msSsim: images.map((img) => (img === reference ? 1 : msSsim(img, reference))),
    lsnr: lsnrAbs.map((v) => v - refSnr),
    lsnrAbs,
  };
}

/** Parses JSONL text, skipping blank lines; throws naming the first bad line. */
export function parseCurveRecords(text: string): CurveRecord[] {
  const out: CurveRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const result = curveRecordSchema.safeParse(JSON.parse(line));
    if (!result.success) throw new Error(`curve record on line ${i + 1} is not valid: ${result.error.issues[0]!.message}`);
    out.push(result.data);
  });
  return out;
}
