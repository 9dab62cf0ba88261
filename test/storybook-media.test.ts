/**
 * Animate and stylize with the storybook model (models/storybook): the same paths media-animate and
 * media-stylize test on the toy, here on weights that draw, so the pictures can be judged. A fox panel
 * is animated (camera zoom, keyframes redrawn by img2img at strength 0.3) and the clip is then restyled
 * towards "at night". Frames go to out/test-output/storybook to be looked at. Clips are small (128 px,
 * 2 s, 8 fps) because the machine is shared.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ssim } from '../src/core/budget/ssim.js';
import { cameraWindow } from '../src/core/camera-motion.js';
import type { RgbImage } from '../src/core/image.js';
import { DiffusionEngine } from '../src/diffusion/engine.js';
import { rgbToPng } from '../src/diffusion/png.js';
import { animatePanel } from '../src/media/animate.js';
import { locateFfmpeg, type FfmpegTools } from '../src/media/ffmpeg.js';
import { stylizeClip } from '../src/media/stylize.js';
import { frameOf } from './support/media-fixtures.js';
import { brightness, savePicture } from './support/picture-checks.js';

const save = (name: string, image: RgbImage) => savePicture('storybook', name, image);

const LIMIT = 10 * 1024 * 1024;
const PROMPT = 'a fox and a bunch of grapes in a vineyard at dusk';
let engine: DiffusionEngine;
let tools: FfmpegTools;
let dir: string;
let panel: RgbImage;

beforeAll(async () => {
  engine = await DiffusionEngine.load('models/storybook', { threads: 1 });
  tools = locateFfmpeg({});
  dir = await mkdtemp(join(tmpdir(), 'taleframe-storybook-media-'));
  panel = (await engine.render({ prompt: PROMPT, seed: 7, steps: 20, guidance: 5, width: 128, height: 128, variants: 1 })).images[0];
  await save('animate-panel', panel);
});
afterAll(async () => {
  await engine?.release();
  await rm(dir, { recursive: true, force: true });
});

/** The window a zoom-in ends on (camera-motion.ts), scaled back to the frame size: what the camera alone would show. */
async function zoomedIn(image: RgbImage): Promise<RgbImage> {
  const w = cameraWindow('zoom-in', 1);
  const [left, top] = [Math.round(w.x * image.width), Math.round(w.y * image.height)];
  const [width, height] = [Math.round(w.width * image.width), Math.round(w.height * image.height)];
  const { data, info } = await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left, top, width, height })
    .resize(image.width, image.height)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

describe('the storybook model in motion', () => {
  let clipPath: string;

  it('animates a panel: the redrawn frames keep the panel and stay steady from frame to frame', async () => {
    const detail = { engine, prompt: PROMPT, seed: 7, strength: 0.3, steps: 20, guidance: 5, keyframeEvery: 3 };
    const result = await animatePanel(tools, { panelPng: await rgbToPng(panel), motion: 'zoom-in', seconds: 2, fps: 8, maxSide: 128, detail, formats: ['mp4'], uploadLimitBytes: LIMIT });
    expect(result).toMatchObject({ width: 128, height: 128, frames: 16 });
    clipPath = join(dir, 'fox.mp4');
    await writeFile(clipPath, result.clips[0]!.bytes);
    const first = await frameOf(tools, clipPath, 0, dir);
    const last = await frameOf(tools, clipPath, 15, dir);
    await save('animate-frame-00', first);
    await save('animate-frame-15', last);
    // Low-strength img2img keeps the picture: the first frame is the panel, redrawn.
    expect(ssim(first, panel)).toBeGreaterThan(0.5);
    // The last frame shows the panel's centre zoomed in.
    const zoomed = await zoomedIn(panel);
    expect(ssim(last, zoomed)).toBeGreaterThan(0.5);
    expect(ssim(last, zoomed)).toBeGreaterThan(ssim(last, panel));
    expect(result.consistency.output).toBeGreaterThan(0.7);
    console.info('storybook animate', JSON.stringify({ consistency: result.consistency, ssimFirst: ssim(first, panel), img2imgMs: Math.round(result.img2imgMs) }));
  }, 300_000);

  it('restyles the clip towards night: darker frames, still steady, still the same scene', async () => {
    const input = clipPath ?? join(dir, 'missing.mp4');
    const style = { engine, prompt: 'a fox and a bunch of grapes in a vineyard at night', seed: 11, strength: 0.5, steps: 20, guidance: 5 };
    const result = await stylizeClip(tools, { input, style, fps: 8, maxSide: 128, temporalSmoothing: 0.25, uploadLimitBytes: LIMIT });
    expect(result).toMatchObject({ width: 128, height: 128, frames: 16 });
    const out = join(dir, 'night.mp4');
    await writeFile(out, result.clip.bytes);
    const before = await frameOf(tools, input, 8, dir);
    const after = await frameOf(tools, out, 8, dir);
    await save('stylize-input-08', before);
    await save('stylize-night-08', after);
    expect(brightness(after)).toBeLessThan(brightness(before) - 10);
    expect(ssim(after, before)).toBeGreaterThan(0.2);
    expect(result.consistency.output).toBeGreaterThan(0.6);
    console.info('storybook stylize', JSON.stringify({ consistency: result.consistency, brightness: [brightness(before), brightness(after)] }));
  }, 300_000);
});
