/**
 * Progress, previews and cancellation on the real toy model: onStep runs once per UNet step with a
 * small latent preview every previewEvery steps, and an AbortSignal stops the render within one
 * step, which is checked by counting the UNet session's run calls.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DiffusionEngine } from '../src/diffusion/engine.js';
import { RenderCancelled } from '../src/diffusion/render-cancelled.js';
import type { RenderRequest, StepProgress } from '../src/diffusion/render-types.js';
import { ensureToyModels } from '../src/toy-model/index.js';

let toy: DiffusionEngine;
const base: RenderRequest = { prompt: 'a lighthouse on a cliff', seed: 21, steps: 10, guidance: 6, width: 96, height: 64, variants: 1 };

beforeAll(async () => {
  await ensureToyModels('models');
  toy = await DiffusionEngine.load('models/toy', { threads: 1 });
});
afterAll(async () => {
  await toy?.release();
});

describe('progress', () => {
  it('reports every step and a preview every previewEvery steps (and at the end)', async () => {
    const seen: StepProgress[] = [];
    await toy.render({ ...base, variants: 4, previewEvery: 4, onStep: (p) => seen.push(p) });
    expect(seen.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(seen.every((p) => p.total === 10)).toBe(true);
    expect(seen.filter((p) => p.preview).map((p) => p.step)).toEqual([4, 8, 10]);
    // Four variants tiled 2 x 2 at latent resolution (12 x 8 each).
    const preview = seen[9].preview!;
    expect([preview.width, preview.height, preview.data.length]).toEqual([24, 16, 24 * 16 * 3]);
    expect(new Set(preview.data).size).toBeGreaterThan(10);
  });

  it('img2img counts only the steps it runs', async () => {
    const init = (await toy.render(base)).images[0];
    const steps: number[] = [];
    await toy.render({ ...base, init, strength: 0.5, onStep: (p) => steps.push(p.total) });
    expect(steps).toEqual([5, 5, 5, 5, 5]);
  });
});

describe('cancellation', () => {
  it('stops within one step of the abort', async () => {
    const run = vi.spyOn(toy.model.sessions.unet, 'run');
    const controller = new AbortController();
    const error = await toy
      .render({ ...base, signal: controller.signal, onStep: (p) => p.step === 3 && controller.abort() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RenderCancelled);
    expect((error as RenderCancelled).completedSteps).toBe(3);
    expect(run).toHaveBeenCalledTimes(3);
    run.mockRestore();
  });

  it('an already aborted signal runs no UNet step', async () => {
    const run = vi.spyOn(toy.model.sessions.unet, 'run');
    await expect(toy.render({ ...base, signal: AbortSignal.abort() })).rejects.toBeInstanceOf(RenderCancelled);
    expect(run).not.toHaveBeenCalled();
    run.mockRestore();
  });

  it('the engine renders normally after a cancelled render', async () => {
    const controller = new AbortController();
    const cancelled = toy.render({ ...base, signal: controller.signal, onStep: () => controller.abort() });
    const next = toy.render(base);
    await expect(cancelled).rejects.toBeInstanceOf(RenderCancelled);
    expect((await next).images).toHaveLength(1);
  });
});
