/**
 * Small measurements a benchmark (bench/) or an operator can run against a loaded engine: time per
 * UNet step for a request, and N variants batched into one UNet call per step versus N renders one
 * after another. Each runs a warm-up render first so session start-up costs are not counted.
 */
import { variantSeed } from '../core/random.js';
import type { DiffusionEngine } from './engine.js';
import type { RenderRequest } from './render-types.js';

export interface StepTiming {
  /** Mean time inside the UNet per denoising step (all variants and the CFG batch together). */
  unetMsPerStep: number;
  /** Mean wall time per render (text encoder, loop, VAE, composites). */
  renderMs: number;
  modelMs: number;
  repeats: number;
}

/** Renders `req` `repeats` times after one warm-up and averages the timings. */
export async function measureSteps(engine: DiffusionEngine, req: RenderRequest, repeats = 3): Promise<StepTiming> {
  await engine.render(req);
  let unetMs = 0;
  let steps = 0;
  let renderMs = 0;
  let modelMs = 0;
  for (let i = 0; i < repeats; i++) {
    const result = await engine.render(req);
    unetMs += result.timings.unetMs;
    steps += result.steps;
    renderMs += result.totalMs;
    modelMs += result.modelMs;
  }
  return { unetMsPerStep: unetMs / steps, renderMs: renderMs / repeats, modelMs: modelMs / repeats, repeats };
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
