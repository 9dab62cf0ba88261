/**
 * The upscale job: one finished picture enlarged 2x (lanczos), then redrawn at low strength (img2img)
 * so the new pixels get detail instead of blur. A result larger than the model's native size is
 * redrawn in overlapping tiles of that size and blended back without seams (core/upscale-tiles.ts);
 * each tile gets its own seed. The step budget picks the steps from the prompt as for drafts, and
 * progress counts steps over all tiles, with the picture-so-far as the preview after each tile.
 */
import sharp from 'sharp';
import { variantSeed } from '../src/core/random.js';
import { cropTile, planTiles, TileBlender } from '../src/core/upscale-tiles.js';
import type { DiffusionEngine } from '../src/diffusion/engine.js';
import { loadImageAt, resizeRgb, rgbToPng } from '../src/diffusion/png.js';
import { JobInputError, type JobHandler } from '../src/queue/index.js';
import { draftBudget, type EngineDefaults } from './render-handlers.js';
import { screenPictures } from './safety-screen.js';

/** The largest side an upscale may reach (the payload schemas' picture limit). */
const MAX_SIDE = 2048;

export function upscaleHandler(engine: DiffusionEngine, defaults: EngineDefaults, tileSize: number): JobHandler<'upscale'> {
  return async (ctx) => {
    const p = ctx.payload;
    const sourceBytes = await ctx.blobs.get(p.sourceKey);
    const meta = await sharp(sourceBytes).metadata();
    const width = Math.floor(((meta.width ?? 0) * p.scale) / 8) * 8;
    const height = Math.floor(((meta.height ?? 0) * p.scale) / 8) * 8;
    if (width < 64 || height < 64 || width > MAX_SIDE || height > MAX_SIDE) {
      throw new JobInputError(`That picture would be ${width}x${height} upscaled; upscales can be 64 to ${MAX_SIDE} pixels on a side.`);
    }
    const enlarged = await loadImageAt(sourceBytes, width, height, 'fill');
    const budget = await draftBudget(engine, defaults, p.prompt, p.quality, p.steps);
    const steps = budget?.predictedSteps ?? p.steps ?? defaults.steps;
    const tiles = planTiles(width, height, tileSize);
    const blender = new TileBlender(width, height, tiles);
    const preview = () => resizeRgb(blender.result(enlarged), meta.width ?? width / 2, meta.height ?? height / 2, 'fill').then(rgbToPng);
    let modelMs = 0;
    let stepsRun = 0;
    const warnings = new Set<string>();
    for (const [i, tile] of tiles.entries()) {
      const result = await engine.render({
        prompt: p.prompt,
        negativePrompt: p.negative,
        seed: variantSeed(p.seed, i),
        steps,
        guidance: p.guidance ?? defaults.guidance,
        scheduler: p.scheduler,
        width: tile.width,
        height: tile.height,
        variants: 1,
        init: cropTile(enlarged, tile),
        strength: p.strength,
        signal: ctx.signal,
        onStep: ({ step, total }) => {
          // The preview shows finished tiles, so it is offered once per tile, at its last step.
          if (step < total) ctx.reportStep({ step: i * total + step, total: tiles.length * total });
        },
      });
      blender.add(i, result.images[0]!);
      modelMs += result.modelMs;
      stepsRun = result.steps;
      for (const w of result.warnings) warnings.add(w);
      ctx.reportStep({ step: (i + 1) * result.steps, total: tiles.length * result.steps, previewPng: preview });
    }
    // The whole enlarged picture is checked once, after its tiles are blended.
    const screened = await screenPictures(engine, [blender.result()], p.safetyCheck, ctx.log);
    const key = await ctx.blobs.put(await rgbToPng(screened.images[0]!), 'png');
    // img2img runs only `strength` of the schedule, so a saved schedule step saves that share of a step.
    const msPerStep = modelMs / Math.max(1, stepsRun * tiles.length);
    return {
      keys: [key],
      seeds: [p.seed],
      steps: stepsRun,
      stepsSaved: budget?.savedSteps ?? 0,
      budget: budget ? { ...budget, msSaved: Math.round(budget.savedSteps * p.strength * msPerStep * tiles.length) } : undefined,
      modelMs: Math.round(modelMs),
      warnings: [...warnings, ...(tiles.length > 1 ? [`Redrawn in ${tiles.length} tiles.`] : []), ...(screened.note ? [screened.note] : [])],
    };
  };
}
