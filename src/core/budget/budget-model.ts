/**
 * The budget.json file written next to a model folder by `npm run budget:calibrate`: everything the
 * worker needs to turn a prompt's pooled text encoding into a step budget, with no renders. Versioned
 * and validated with zod so a stale or hand-edited file fails loudly with the field that is wrong,
 * instead of producing silly step counts.
 */
import { z } from 'zod';

export const BUDGET_MODEL_VERSION = 1;

/** Curves the calibration measures; `ssim` drives the rule, the others are reported and charted. */
export const BUDGET_METRICS = ['ssim', 'msSsim', 'lsnr', 'clip'] as const;
export type BudgetMetric = (typeof BUDGET_METRICS)[number];

const finite = z.number().finite();
const stepCount = z.number().int().min(1).max(1000);

const curveFitSchema = z.object({
  lambda: z.number().positive(),
  intercept: z.array(finite),
  /** weights[g][d] per grid step g and standardised feature d. */
  weights: z.array(z.array(finite)),
  /** Cross-validated root-mean-square error of the curve values. */
  cvRmse: z.number().nonnegative(),
});

const thresholdsSchema = z.object({ fast: finite, balanced: finite, best: finite });

const summarySchema = z.object({ meanSteps: finite, meanSsim: finite, p5Ssim: finite, shareBelow090: finite });

/** One quality level's online rule (online-stop.ts) and its out-of-fold result on the training prompts. */
const onlineLevelSchema = summarySchema.extend({
  priorThreshold: finite,
  stopThreshold: z.number().nonnegative(),
  /**
   * Pooled result of choices made on four folds of the training prompts and run on the fifth, at the
   * strictness (mean margin, tail share) the fit settled on; absent in older files.
   */
  crossValidated: summarySchema
    .extend({
      meanMargin: z.number().nonnegative(),
      tailShare: z.number().nonnegative(),
      /** Whether the pooled result met the target; false: no strictness did, and the strictest was used. */
      held: z.boolean().optional(),
    })
    .optional(),
});

/** The online stopping rule on top of the prompt prior (fit-online-rule.ts); absent in older files. */
const onlineSchema = z.object({
  /** The lower bound is where predicted SSIM + this many CV RMSEs reaches the level's target. */
  lowerBoundSigmas: z.number().nonnegative(),
  /** Longest schedule calibration traced; longer ones run without the online rule. */
  maxScheduledSteps: stepCount,
  levels: z.object({ fast: onlineLevelSchema, balanced: onlineLevelSchema, best: onlineLevelSchema }),
});

export const budgetModelSchema = z
  .object({
    version: z.literal(BUDGET_MODEL_VERSION),
    modelId: z.string().min(1),
    /** modelBuildId of the folder calibrated (src/budget/model-build.ts): a rebuilt model is recalibrated. */
    build: z.string().optional(),
    createdAt: z.string(),
    scheduler: z.string().min(1),
    /** Step counts rendered during calibration, ascending; the last one is the reference. */
    stepGrid: z.array(stepCount).min(2),
    stepRange: z.object({ min: stepCount, max: stepCount }),
    defaultSteps: stepCount,
    features: z.object({
      dim: z.number().int().positive(),
      /** 'l2': the pooled encoding is scaled to unit length before standardising (see budgetFeatures). */
      normalise: z.enum(['none', 'l2']),
      mean: z.array(finite),
      std: z.array(z.number().positive()),
    }),
    curves: z.object({
      ssim: curveFitSchema,
      msSsim: curveFitSchema.optional(),
      lsnr: curveFitSchema.optional(),
      clip: curveFitSchema.optional(),
    }),
    rule: z.object({
      thresholds: thresholdsSchema,
      plateauSlope: finite,
      plateauFloor: finite,
      /** Quality each level aims for on real renders (mean SSIM to the reference), used when tuning. */
      targets: thresholdsSchema,
    }),
    online: onlineSchema.optional(),
    calibration: z.object({
      prompts: z.number().int().nonnegative(),
      trainPrompts: z.number().int().nonnegative(),
      heldOutPrompts: z.number().int().nonnegative(),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      seed: z.number().int(),
      /** Each prompt rendered with its own seed derived from `seed` (promptSeed); absent: all with `seed`. */
      seedPerPrompt: z.boolean().optional(),
      guidance: finite,
      /** Mean UNet time per step at the calibration size, for "time saved" estimates. */
      msPerStep: z.number().nonnegative(),
      /**
       * Per quality level on the training prompts: out-of-fold results of the rule (measured SSIM at
       * the chosen step), and the uniform baseline: the fewest fixed steps meeting the same target.
       */
      outOfFold: z.record(
        z.string(),
        z.object({
          meanSteps: finite,
          meanSsim: finite,
          p5Ssim: finite,
          shareBelow090: finite,
          uniformSteps: z.number().int().positive(),
          uniformMeanSsim: finite,
        }),
      ),
    }),
  })
  .superRefine((m, ctx) => {
    for (let i = 1; i < m.stepGrid.length; i++) {
      if (m.stepGrid[i] <= m.stepGrid[i - 1]) {
        ctx.addIssue({ code: 'custom', path: ['stepGrid', i], message: `step grid must increase (${m.stepGrid[i - 1]} then ${m.stepGrid[i]})` });
      }
    }
    if (m.features.mean.length !== m.features.dim || m.features.std.length !== m.features.dim) {
      ctx.addIssue({ code: 'custom', path: ['features'], message: `mean/std length must equal dim ${m.features.dim}` });
    }
    if (m.stepRange.min > m.stepRange.max) {
      ctx.addIssue({ code: 'custom', path: ['stepRange'], message: 'min must not exceed max' });
    }
    for (const [name, fit] of Object.entries(m.curves)) {
      if (!fit) continue;
      if (fit.intercept.length !== m.stepGrid.length || fit.weights.length !== m.stepGrid.length) {
        ctx.addIssue({ code: 'custom', path: ['curves', name], message: `needs one intercept and weight row per grid step (${m.stepGrid.length})` });
      } else if (fit.weights.some((w) => w.length !== m.features.dim)) {
        ctx.addIssue({ code: 'custom', path: ['curves', name, 'weights'], message: `each weight row needs ${m.features.dim} entries` });
      }
    }
  });

export type BudgetModel = z.infer<typeof budgetModelSchema>;
export type CurveFit = z.infer<typeof curveFitSchema>;
export type OnlineRuleFit = z.infer<typeof onlineSchema>;

/**
 * The predictor's input for a pooled text encoding. With 'l2' the vector is scaled to unit length:
 * mean-pooled encoder outputs grow and shrink with prompt length, while what the prompt asks for is
 * its direction (as in CLIP's cosine space).
 */
export function budgetFeatures(pooled: ArrayLike<number>, normalise: 'none' | 'l2'): number[] {
  const out = Array.from(pooled, Number);
  if (normalise === 'l2') {
    const norm = Math.sqrt(out.reduce((s, v) => s + v * v, 0));
    if (norm > 1e-12) for (let i = 0; i < out.length; i++) out[i] /= norm;
  }
  return out;
}

/** Validates parsed JSON; throws an Error naming the first wrong field. */
export function parseBudgetModel(json: unknown): BudgetModel {
  const result = budgetModelSchema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new Error(`budget.json is not valid at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
