/**
 * The render worker's job handlers for the ONNX engine: draft (txt2img, variants batched) and refine
 * (img2img, or inpaint with a painted mask). The engine is loaded once by the worker process and
 * passed in; media handlers (animate, stylize, storyboard) are added to the same registry later.
 */
import type { GrayImage } from '../src/core/image.js';
import type { DiffusionEngine } from '../src/diffusion/engine.js';
import { decodeImage, loadImageAt, rgbToPng } from '../src/diffusion/png.js';
import type { RenderRequest } from '../src/diffusion/render-types.js';
import { JobInputError, type HandlerContext, type HandlerRegistry, type JobResult } from '../src/queue/index.js';

export interface EngineDefaults {
  steps: number;
  guidance: number;
}

/** draft + refine handlers over one loaded engine. */
export function engineHandlers(engine: DiffusionEngine, defaults: EngineDefaults): HandlerRegistry {
  return {
    draft: async (ctx) => {
      const p = ctx.payload;
      return render(ctx, {
        prompt: p.prompt,
        negativePrompt: p.negative,
        seed: p.seed,
        steps: p.steps ?? defaults.steps,
        guidance: p.guidance ?? defaults.guidance,
        scheduler: p.scheduler,
        width: p.width,
        height: p.height,
        variants: p.variants,
      }, engine);
    },
    refine: async (ctx) => {
      const p = ctx.payload;
      const source = await decodeImage(await ctx.blobs.get(p.sourceKey));
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
        throw new JobInputError('Region masks ("left half") are not supported by this worker yet; paint the mask instead.');
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
        init: width === source.width && height === source.height ? source : await loadImageAt(await ctx.blobs.get(p.sourceKey), width, height),
        strength: p.strength,
        mask,
      }, engine);
    },
  };
}

async function render(ctx: HandlerContext<'draft' | 'refine'>, req: RenderRequest, engine: DiffusionEngine): Promise<JobResult> {
  const result = await engine.render({
    ...req,
    signal: ctx.signal,
    previewEvery: ctx.previewEvery,
    onStep: ({ step, total, preview }) =>
      ctx.reportStep({ step, total, previewPng: preview ? () => rgbToPng(preview) : undefined }),
  });
  const keys: string[] = [];
  for (const image of result.images) keys.push(await ctx.blobs.put(await rgbToPng(image), 'png'));
  return { keys, seeds: result.seeds, steps: result.steps, stepsSaved: Math.max(0, req.steps - result.steps), warnings: result.warnings };
}
