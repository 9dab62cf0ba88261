// Animated panels end to end: the toy ONNX model redraws keyframes with one shared seed, real sharp
// draws the camera frames, real ffmpeg encodes; files are checked with ffprobe. Clips are tiny
// (128x96, 2 s, 8 fps) because the machine is shared.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiffusionEngine } from '../src/diffusion/engine.js';
import { animatePanel, keyframeIndices } from '../src/media/animate.js';
import { locateFfmpeg, probeMedia, type FfmpegTools } from '../src/media/ffmpeg.js';
import { MediaInputError } from '../src/media/media-input-error.js';
import { ensureToyModels } from '../src/toy-model/index.js';
import { frameOf, meanColor, panelPng, splitPanelPng } from './support/media-fixtures.js';

let engine: DiffusionEngine;
let tools: FfmpegTools;
let dir: string;
let panel: Buffer;
const LIMIT = 10 * 1024 * 1024;

beforeAll(async () => {
  await ensureToyModels();
  engine = await DiffusionEngine.load('models/toy', { threads: 1 });
  tools = locateFfmpeg({});
  dir = await mkdtemp(join(tmpdir(), 'taleframe-media-animate-'));
  panel = await panelPng('#cc4422', 'Fox');
});
afterAll(async () => {
  await engine?.release();
  await rm(dir, { recursive: true, force: true });
});

describe('animatePanel', () => {
  it('makes an H.264 MP4 and a GIF preview with shared-noise keyframes, under the limit', async () => {
    const detail = { engine, prompt: 'a red fox in a moonlit forest', seed: 1234, strength: 0.3, steps: 20, keyframeEvery: 3 };
    const result = await animatePanel(tools, { panelPng: panel, motion: 'zoom-in', seconds: 2, fps: 8, maxSide: 128, detail, uploadLimitBytes: LIMIT });
    expect(result).toMatchObject({ width: 128, height: 96, frames: 16, keyframes: keyframeIndices(16, 3).length });
    expect(result.keyframes).toBe(6); // 0, 3, 6, 9, 12, 15

    const [mp4, gif] = result.clips;
    const mp4Path = join(dir, 'zoom.mp4');
    await writeFile(mp4Path, mp4!.bytes);
    const probe = await probeMedia(tools, mp4Path);
    expect(probe.video).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', width: 128, height: 96, fps: 8, frames: 16 });
    expect(probe.durationSec).toBeCloseTo(2, 1);
    expect(probe.video!.width % 2 + probe.video!.height % 2).toBe(0);
    expect(mp4!.bytes.length).toBeLessThanOrEqual(LIMIT);
    expect(mp4!.attempts).toHaveLength(1);
    // +faststart puts the moov atom before the media data.
    expect(mp4!.bytes.indexOf('moov')).toBeLessThan(mp4!.bytes.indexOf('mdat'));

    expect(gif!.probe.formatName).toBe('gif');
    expect(gif!.bytes.subarray(0, 6).toString()).toBe('GIF89a');
    expect(gif!.probe.video).toMatchObject({ width: 128, height: 96 });
    expect(gif!.bytes.length).toBeLessThanOrEqual(LIMIT);

    // Shared noise: every keyframe is rendered with the same seed, so the output is at least as steady
    // as the plain camera move (the toy model pulls hard toward the prompt's mean image).
    expect(result.consistency.output).toBeGreaterThan(0.8);
    expect(result.consistency.camera).toBeGreaterThan(0.8);
    console.info('animate 128x96x16 k=3', JSON.stringify({
      img2imgMs: Math.round(result.img2imgMs),
      framesMs: Math.round(result.framesMs),
      encodeMs: Math.round(result.encodeMs),
      mp4Bytes: mp4!.bytes.length,
      gifBytes: gif!.bytes.length,
      consistency: result.consistency,
    }));
  }, 180_000);

  it('costs about 1/k of full-rate img2img when only every k-th frame is redrawn', async () => {
    const base = { panelPng: panel, motion: 'pan-right' as const, seconds: 2, fps: 8, maxSide: 128, formats: ['mp4' as const], uploadLimitBytes: LIMIT };
    // The real engine, counted: the cost is the number of img2img renders (speed itself is `npm run bench`'s).
    const renders = { count: 0 };
    const counted = { render: (req: Parameters<DiffusionEngine['render']>[0]) => (renders.count++, engine.render(req)) };
    const detail = { engine: counted, prompt: 'a red fox', seed: 99, strength: 0.3, steps: 20 };
    const full = await animatePanel(tools, { ...base, detail: { ...detail, keyframeEvery: 1 } });
    expect(renders.count).toBe(16);
    renders.count = 0;
    const sparse = await animatePanel(tools, { ...base, detail: { ...detail, keyframeEvery: 4 } });
    expect(renders.count).toBe(5); // frames 0, 4, 8, 12, 15
    expect(full.keyframes).toBe(16);
    expect(sparse.keyframes).toBe(5);
    console.info('img2img cost', JSON.stringify({
      fullMs: Math.round(full.img2imgMs),
      everyFourthMs: Math.round(sparse.img2imgMs),
      consistency: { full: full.consistency, everyFourth: sparse.consistency },
    }));
  });

  it('moves the camera the way the motion says (pan right over a red | blue panel)', async () => {
    const split = await splitPanelPng('#ff0000', '#0000ff');
    const result = await animatePanel(tools, { panelPng: split, motion: 'pan-right', seconds: 2, fps: 8, maxSide: 128, intensity: 0.5, formats: ['mp4'], uploadLimitBytes: LIMIT });
    const path = join(dir, 'pan.mp4');
    await writeFile(path, result.clips[0]!.bytes);
    const first = meanColor(await frameOf(tools, path, 0, dir));
    const last = meanColor(await frameOf(tools, path, 15, dir));
    // The window starts on the left (more red) and ends on the right (more blue).
    expect(first[0] - first[2]).toBeGreaterThan(40);
    expect(last[2] - last[0]).toBeGreaterThan(40);
  });

  it('re-encodes smaller until the file fits a tiny limit, and says so when nothing fits', async () => {
    const base = { panelPng: panel, motion: 'zoom-out' as const, seconds: 2, fps: 8, maxSide: 128, formats: ['mp4' as const, 'gif' as const] };
    const roomy = await animatePanel(tools, { ...base, uploadLimitBytes: LIMIT });
    const firstSizes = roomy.clips.map((c) => c.bytes.length);
    const tight = Math.min(...firstSizes) - 1;
    const squeezed = await animatePanel(tools, { ...base, uploadLimitBytes: tight });
    for (const clip of squeezed.clips) {
      expect(clip.attempts.length).toBeGreaterThan(1);
      expect(clip.bytes.length).toBeLessThanOrEqual(tight);
      expect(clip.attempts.slice(0, -1).every((a) => a.bytes > tight)).toBe(true);
    }
    const mp4 = squeezed.clips[0]!;
    expect(mp4.probe.video!.width % 2 + mp4.probe.video!.height % 2).toBe(0);
    expect(mp4.probe.video!.pixFmt).toBe('yuv420p');
    console.info('re-encode ladder', JSON.stringify({ limit: tight, mp4: mp4.attempts, gif: squeezed.clips[1]!.attempts }));

    await expect(animatePanel(tools, { ...base, formats: ['mp4'], uploadLimitBytes: 200 })).rejects.toThrow(
      /^The MP4 is still .* MiB at the smallest settings, over the 0\.00 MiB upload limit/,
    );
  }, 180_000);

  it('refuses bad requests with one sentence and stops when cancelled', async () => {
    const base = { panelPng: panel, motion: 'zoom-in' as const, fps: 8, maxSide: 128, uploadLimitBytes: LIMIT };
    await expect(animatePanel(tools, { ...base, seconds: 10 })).rejects.toThrow(/^An animated panel lasts 2 to 6 seconds, not 10\.$/);
    await expect(animatePanel(tools, { ...base, seconds: 2, panelPng: Buffer.from('not a png') })).rejects.toThrowError(MediaInputError);
    const controller = new AbortController();
    const run = animatePanel(tools, {
      ...base,
      seconds: 2,
      detail: { engine, prompt: 'a fox', seed: 1 },
      signal: controller.signal,
      onProgress: (p) => p.done === 3 && controller.abort(new Error('user cancelled')),
    });
    await expect(run).rejects.toThrow('user cancelled');
  });
});
