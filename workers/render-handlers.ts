/**
 * The render worker's job handlers for the ONNX engine: draft (txt2img, or img2img from a starting
 * picture, variants batched) and refine
 * (img2img, or inpaint with a painted mask). The engine is loaded once by the worker process and
 * passed in; media handlers (animate, stylize, storyboard) are added to the same registry later.
 */
import type { Config } from '../src/config.js';
import type { GrayImage } from '../src/core/image.js';
import { loadBudgetModel, predictBudget, predictOnlineBudget, withStepsUsed, type BudgetModel, type BudgetQuality, type OnlineStop, type StepBudget } from '../src/budget/index.js';
import type { DiffusionEngine } from '../src/diffusion/engine.js';
import { decodeImage, loadImageAt, rgbToPng } from '../src/diffusion/png.js';
import type { RenderRequest } from '../src/diffusion/render-types.js';
import { JobInputError, type HandlerContext, type HandlerRegistry, type JobResult } from '../src/queue/index.js';
import { screenPictures } from './safety-screen.js';

export interface EngineDefaults {
  steps: number;
  guidance: number;
  /** Quality level for step budgets when a request names none. */
  quality: BudgetQuality;
  /** The model's calibrated step-budget predictor (budget.json), or null when uncalibrated. */
  budget: BudgetModel | null;
}

/** Render defaults from the configuration, with the model's budget.json when it has one. */
export async function loadEngineDefaults(config: Config): Promise<EngineDefaults> {
  return {
    steps: config.RENDER_STEPS,
    guidance: config.RENDER_GUIDANCE,
    quality: config.BUDGET_QUALITY,
    budget: await loadBudgetModel(config.MODEL_DIR),
  };
}

/** draft + refine handlers over one loaded engine. */
export function engineHandlers(engine: DiffusionEngine, defaults: EngineDefaults): HandlerRegistry {
  return {
    draft: async (ctx) => {
      const p = ctx.payload;
      const { budget, stop } = await draftPlan(engine, defaults, p);
      return render(ctx, {
        prompt: p.prompt,
        negativePrompt: p.negative,
        seed: p.seed,
        steps: budget?.predictedSteps ?? p.steps ?? defaults.steps,
        guidance: p.guidance ?? defaults.guidance,
        scheduler: p.scheduler,
        width: p.width,
        height: p.height,
        variants: p.variants,
        ...(p.init ? { init: await loadImageAt(await ctx.blobs.get(p.init.key), p.width, p.height, 'cover'), strength: p.init.strength } : {}),
        ...(stop ? { earlyStop: stop } : {}),
      }, engine, budget);
    },
    refine: async (ctx) => {
      const p = ctx.payload;
      const sourceBytes = await ctx.blobs.get(p.sourceKey);
      const source = await decodeImage(sourceBytes);
      let mask: GrayImage | undefined;
      if (p.mask && 'maskKey' in p.mask) {
        const painted = await decodeImage(await ctx.blobs.get(p.mask.maskKey));
        if (painted.width !== source.width || painted.height !== source.height) {
          throw new JobInputError(
            `The mask is ${painted.width}x${painted.height} but the picture is ${source.width}x${source.height}; paint the mask on the picture itself.`,
          );
        }
        mask = { width: painted.width, height: painted.height, data: new Uint8Array(painted.width * painted.height) };
        for (let i = 0; i < mask.data.length; i++) mask.data[i] = painted.data[i * 3]! >= 128 ? 255 : 0;
      } else if (p.mask) {
        throw new JobInputError('Region words ("left half") cannot be drawn here yet; paint the mask instead.');
      }
      const width = source.width - (source.width % 8);
      const height = source.height - (source.height % 8);
      return render(ctx, {
        prompt: p.prompt,
        negativePrompt: p.negative,
        seed: p.seed,
        steps: p.steps ?? defaults.steps,
        guidance: p.guidance ?? defaults.guidance,
        scheduler: p.scheduler,
        width,
        height,
        variants: 1,
        init: width === source.width && height === source.height ? source : await loadImageAt(sourceBytes, width, height),
        strength: p.strength,
        mask,
      }, engine);
    },
  };
}

/**
 * The step budget (BudgetFusion) of a render that starts from a picture (img2img drafts, upscale
 * tiles): predicted from the prompt's pooled text encoding before any denoising, unless the user
 * chose the steps. Null when the model has no budget.json.
 */
export async function draftBudget(engine: DiffusionEngine, defaults: EngineDefaults, prompt: string, quality: BudgetQuality | undefined, userSteps: number | undefined): Promise<StepBudget | null> {
  if (!defaults.budget) return null;
  return predictBudget(defaults.budget, await engine.encodePooled(prompt), quality ?? defaults.quality, userSteps);
}

/**
 * A txt2img draft's budget: the prompt prior's schedule plus the online rule that may end the run
 * once the picture stops changing, when budget.json has one (predictOnlineBudget). Drafts from a
 * starting picture keep the prompt-only budget: the online rule only applies to txt2img.
 */
async function draftPlan(engine: DiffusionEngine, defaults: EngineDefaults, p: { prompt: string; quality?: BudgetQuality; steps?: number; init?: unknown }): Promise<{ budget: StepBudget | null; stop: OnlineStop | null }> {
  if (!defaults.budget || p.init) return { budget: await draftBudget(engine, defaults, p.prompt, p.quality, p.steps), stop: null };
  return predictOnlineBudget(defaults.budget, await engine.encodePooled(p.prompt), p.quality ?? defaults.quality, p.steps);
}

async function render(ctx: HandlerContext<'draft' | 'refine'>, req: RenderRequest, engine: DiffusionEngine, budget: StepBudget | null = null): Promise<JobResult> {
  const result = await engine.render({
    ...req,
    signal: ctx.signal,
    previewEvery: ctx.previewEvery,
    onStep: ({ step, total, preview }) =>
      ctx.reportStep({ step, total, previewPng: preview ? () => rgbToPng(preview) : undefined }),
  });
  const screened = await screenPictures(engine, result.images, ctx.payload.safetyCheck, ctx.log);
  const keys: string[] = [];
  for (const image of screened.images) keys.push(await ctx.blobs.put(await rgbToPng(image), 'png'));
  const msPerStep = result.modelMs / Math.max(1, result.steps);
  // The online rule may have ended the run early: the draft reports the steps actually run.
  if (budget && result.scheduledSteps) budget = withStepsUsed(budget, result.steps, result.scheduledSteps);
  return {
    keys,
    seeds: result.seeds,
    steps: result.steps,
    stepsSaved: budget?.savedSteps ?? 0,
    budget: budget ? { ...budget, msSaved: Math.round(budget.savedSteps * msPerStep) } : undefined,
    modelMs: Math.round(result.modelMs),
    warnings: screened.note ? [...result.warnings, screened.note] : result.warnings,
  };
}
