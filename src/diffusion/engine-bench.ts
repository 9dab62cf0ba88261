/**
 * Small measurements a benchmark (bench/) or an operator can run against a loaded engine: time per
 * UNet step for a request, and N variants batched into one UNet call per step versus N renders one
 * after another. Each runs a warm-up render first so session start-up costs are not counted.
 */
import { percentile } from '../core/budget/choice-summary.js';
import { variantSeed } from '../core/random.js';
import type { DiffusionEngine } from './engine.js';
import type { RenderRequest } from './render-types.js';

export interface StepTiming {
  /** Median time inside the UNet per denoising step (all variants and the CFG batch together). */
  unetMsPerStep: number;
  /** Median wall time per render (text encoder, loop, VAE, composites). */
  renderMs: number;
  modelMs: number;
  repeats: number;
}

/**
 * Renders `req` `repeats` times after one warm-up and takes the median of each timing: on a shared
 * machine one render in three can take 50% longer when a neighbour wakes up (storybook draft, three
 * runs of the bench a minute apart: 1,700, 1,083 and 1,612 ms as means of 3), and the median of
 * more renders says what the model costs rather than what the neighbours did.
 */
export async function measureSteps(engine: DiffusionEngine, req: RenderRequest, repeats = 3): Promise<StepTiming> {
  await engine.render(req);
  const unet: number[] = [];
  const render: number[] = [];
  const model: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const result = await engine.render(req);
    unet.push(result.timings.unetMs / result.steps);
    render.push(result.totalMs);
    model.push(result.modelMs);
  }
  return { unetMsPerStep: percentile(unet, 0.5), renderMs: percentile(render, 0.5), modelMs: percentile(model, 0.5), repeats };
}

export interface BatchingComparison {
  variants: number;
  /** One render of `variants` variants (one UNet call per step). */
  batchedMs: number;
  /** `variants` renders of one variant each, one after another. */
  sequentialMs: number;
  /** sequentialMs / batchedMs. */
  speedup: number;
}

/** Times `req.variants` variants batched against the same variants rendered one at a time. */
export async function compareBatching(engine: DiffusionEngine, req: RenderRequest, repeats = 2): Promise<BatchingComparison> {
  const seeds = Array.from({ length: req.variants }, (_, i) => variantSeed(req.seed, i));
  const single = { ...req, variants: 1 };
  await engine.render(req);
  await engine.render(single);
  let batchedMs = 0;
  let sequentialMs = 0;
  for (let r = 0; r < repeats; r++) {
    batchedMs += (await engine.render(req)).totalMs;
    for (const seed of seeds) sequentialMs += (await engine.render({ ...single, seed })).totalMs;
  }
  return { variants: req.variants, batchedMs: batchedMs / repeats, sequentialMs: sequentialMs / repeats, speedup: sequentialMs / batchedMs };
}
