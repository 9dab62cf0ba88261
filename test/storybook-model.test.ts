/**
 * The storybook model (models/storybook, trained by models/storybook/train) through the project's own
 * engine, exactly as a downloaded SD export: detected with no special case, rendered at its native
 * 128x128 and upscaled to the 512x512 drafts show, img2img keeps the source's layout at low strength,
 * and inpainting leaves unmasked pixels byte-identical at the output size. One semantic check that the
 * weights learned something a prompt controls: "at night" renders darker than "by day".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ssim } from '../src/core/budget/ssim.js';
import { createGray, type RgbImage } from '../src/core/image.js';
import { DiffusionEngine } from '../src/diffusion/engine.js';
import { brightness, savePicture } from './support/picture-checks.js';

const save = (name: string, image: RgbImage) => savePicture('storybook', name, image);

let engine: DiffusionEngine;

beforeAll(async () => {
  engine = await DiffusionEngine.load('models/storybook', { threads: 1 });
});
afterAll(async () => {
  await engine?.release();
});

describe('the storybook model', () => {
  it('loads as a diffusers ONNX export: DDIM, epsilon, 4-channel UNet, native 128 px', () => {
    expect(engine.describe()).toMatchObject({
      scheduler: 'ddim', predictionType: 'epsilon', unetChannels: 4, hiddenSize: 256, vaeEncoder: 'latent_sample', nativeSize: 128, fp16: false,
    });
  });

  it('renders at 128x128 and shows the draft upscaled to 512x512', async () => {
    const result = await engine.render({ prompt: 'a fox and a bunch of grapes in a vineyard at dusk', seed: 5, steps: 12, guidance: 5, width: 512, height: 512, variants: 2 });
    expect(result.renderedAt).toEqual({ width: 128, height: 128 });
    expect(result.images.map((im) => [im.width, im.height])).toEqual([[512, 512], [512, 512]]);
    expect(ssim(result.images[0], result.images[1])).toBeLessThan(0.98); // seeds give different drafts
    await save('fox-grapes-dusk', result.images[0]);
  });

  it('draws night darker than day for the same scene', async () => {
    const at = async (time: string) => {
      const r = await engine.render({ prompt: `a house in a field ${time}`, seed: 9, steps: 12, guidance: 5, width: 128, height: 128, variants: 2 });
      await save(`house-${time.replace(/ /g, '-')}`, r.images[0]);
      return (brightness(r.images[0]) + brightness(r.images[1])) / 2;
    };
    const day = await at('by day');
    const night = await at('at night');
    expect(night).toBeLessThan(day - 15);
  });

  it('img2img keeps the source at low strength and departs from it at full strength', async () => {
    const source = (await engine.render({ prompt: 'a castle in the mountains by day', seed: 3, steps: 12, guidance: 5, width: 128, height: 128, variants: 1 })).images[0];
    const edit = (strength: number) => engine.render({ prompt: 'a castle in the mountains at night', seed: 4, steps: 12, guidance: 5, width: 128, height: 128, variants: 1, init: source, strength });
    const low = (await edit(0.3)).images[0];
    const full = (await edit(1)).images[0];
    await save('img2img-source', source);
    await save('img2img-0.3', low);
    expect(ssim(low, source)).toBeGreaterThan(ssim(full, source));
    expect(ssim(low, source)).toBeGreaterThan(0.5);
  });

  it('inpaints a 512 px draft at native size and keeps every unmasked pixel', async () => {
    const source = (await engine.render({ prompt: 'a cat in a cottage room by day', seed: 8, steps: 12, guidance: 5, width: 512, height: 512, variants: 1 })).images[0];
    const mask = createGray(512, 512);
    for (let y = 128; y < 384; y++) mask.data.fill(255, y * 512 + 256, y * 512 + 512); // right half, middle rows
    const result = await engine.render({ prompt: 'a dragon in a cottage room by day', seed: 9, steps: 12, guidance: 5, width: 512, height: 512, variants: 1, init: source, mask });
    const out = result.images[0];
    expect(result.renderedAt).toEqual({ width: 128, height: 128 });
    let unmaskedChanged = 0;
    let maskedDiff = 0;
    for (let p = 0; p < mask.data.length; p++) {
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(out.data[p * 3 + c] - source.data[p * 3 + c]);
        if (mask.data[p] === 0) unmaskedChanged += d === 0 ? 0 : 1;
        else maskedDiff += d;
      }
    }
    expect(unmaskedChanged).toBe(0);
    expect(maskedDiff / (3 * 256 * 256)).toBeGreaterThan(3);
    await save('inpaint-source', source);
    await save('inpaint-result', out);
  });
});
