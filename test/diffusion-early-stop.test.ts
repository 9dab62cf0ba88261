/**
 * The online step-budget rule wired into the real pipeline on the toy ONNX model: a trace run
 * (threshold 0) reports every step and its early-finish picture, whose last one is the ordinary
 * render byte for byte; a stopped run makes only the UNet calls it needs and returns exactly the
 * picture the trace promised at that step; img2img ignores the rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbImage } from '../src/core/image.js';
import { DiffusionEngine } from '../src/diffusion/engine.js';
import type { EarlyStopObservation, RenderRequest } from '../src/diffusion/render-types.js';
import { ensureToyModels } from '../src/toy-model/index.js';

let toy: DiffusionEngine;
const base: RenderRequest = { prompt: 'a fox and a bunch of grapes in a vineyard at dusk', seed: 11, steps: 8, guidance: 7.5, width: 64, height: 64, variants: 2 };

beforeAll(async () => {
  await ensureToyModels('models');
  toy = await DiffusionEngine.load('models/toy', { threads: 1 });
});
afterAll(async () => toy?.release());

const same = (a: RgbImage, b: RgbImage) => Buffer.from(a.data).equals(Buffer.from(b.data));

describe('early stop in the pipeline', () => {
  it('traces every step, stops when told, and finishes on the traced picture', async () => {
    const plain = await toy.render(base);
    const seen: Omit<EarlyStopObservation, 'finish'>[] = [];
    const pictures = new Map<number, RgbImage[]>();
    const traced = await toy.render({
      ...base,
      earlyStop: {
        minSteps: 2,
        threshold: 0,
        observe: async ({ finish, ...o }) => {
          seen.push(o);
          pictures.set(o.step, await finish());
        },
      },
    });
    expect(traced.steps).toBe(8);
    expect(traced.scheduledSteps).toBeUndefined();
    expect(seen.map((o) => o.step)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(seen.every((o) => o.total === 8 && o.projected.length === 2 && o.projected.every((p) => Number.isFinite(p) && p >= 0))).toBe(true);
    expect(seen.at(-1)!.projected.every((p) => p < seen[0].projected[0])).toBe(true); // settles towards the end
    plain.images.forEach((img, v) => expect(same(pictures.get(8)![v], img)).toBe(true));
    plain.images.forEach((img, v) => expect(same(traced.images[v], img)).toBe(true));

    const stopped = await toy.render({ ...base, earlyStop: { minSteps: 3, threshold: Infinity } });
    expect(stopped.steps).toBe(3);
    expect(stopped.scheduledSteps).toBe(8);
    expect(stopped.timings.unetCalls).toBe(3);
    stopped.images.forEach((img, v) => expect(same(img, pictures.get(3)![v])).toBe(true));
    expect(same(stopped.images[0], plain.images[0])).toBe(false);
  });

  it('img2img ignores the rule', async () => {
    const init = (await toy.render({ ...base, variants: 1 })).images[0];
    const result = await toy.render({ ...base, variants: 1, init, strength: 0.75, earlyStop: { minSteps: 1, threshold: Infinity } });
    expect(result.steps).toBe(6);
    expect(result.scheduledSteps).toBeUndefined();
  });
});
