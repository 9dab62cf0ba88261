// Restyling clips with the toy ONNX model and real ffmpeg: a testsrc clip with a sine tone keeps its
// audio, WebM and GIF inputs work, consistency is reported for input and output, and bad inputs (not
// a video, a still, too long, too big, too large a picture) are refused with one sentence.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiffusionEngine } from '../src/diffusion/engine.js';
import { locateFfmpeg, probeMedia, type FfmpegTools } from '../src/media/ffmpeg.js';
import { MediaInputError } from '../src/media/media-input-error.js';
import { stylizeClip } from '../src/media/stylize.js';
import { ensureToyModels } from '../src/toy-model/index.js';
import { makeTestClip, panelPng } from './support/media-fixtures.js';

let engine: DiffusionEngine;
let tools: FfmpegTools;
let dir: string;
const LIMIT = 10 * 1024 * 1024;
const clip = () => join(dir, 'walk.mp4');

beforeAll(async () => {
  await ensureToyModels();
  engine = await DiffusionEngine.load('models/toy', { threads: 1 });
  tools = locateFfmpeg({});
  dir = await mkdtemp(join(tmpdir(), 'taleframe-media-stylize-'));
  await makeTestClip(tools, clip(), { seconds: 2, fps: 8, width: 160, height: 120, audio: true });
});
afterAll(async () => {
  await engine?.release();
  await rm(dir, { recursive: true, force: true });
});

const style = () => ({ engine, prompt: 'clay puppets, claymation', seed: 77, strength: 0.4, steps: 20 });

describe('stylizeClip', () => {
  it('restyles every frame with one seed, keeps the audio, and reports consistency', async () => {
    const progress: number[] = [];
    const result = await stylizeClip(tools, {
      input: clip(),
      style: style(),
      fps: 8,
      maxSide: 128,
      temporalSmoothing: 0.25,
      uploadLimitBytes: LIMIT,
      onProgress: (p) => progress.push(p.done / p.total),
    });
    expect(result).toMatchObject({ width: 128, height: 96, frames: 16 });
    const out = join(dir, 'styled.mp4');
    await writeFile(out, result.clip.bytes);
    const probe = await probeMedia(tools, out);
    expect(probe.video).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', width: 128, height: 96, fps: 8, frames: 16 });
    expect(probe.durationSec).toBeGreaterThan(1.9);
    expect(probe.durationSec).toBeLessThan(2.2);
    expect(probe.hasAudio).toBe(true);
    expect(probe.audioCodec).toBe('aac');
    expect(result.clip.bytes.length).toBeLessThanOrEqual(LIMIT);
    expect(progress.at(-1)).toBe(1);

    for (const value of [result.consistency.input, result.consistency.output]) {
      expect(value).toBeGreaterThan(0);
      expect(value).toBeLessThanOrEqual(1);
    }
    // testsrc scrolls and counts every frame; one shared seed plus smoothing keeps the output steadier.
    expect(result.consistency.output).toBeGreaterThanOrEqual(result.consistency.input);
    console.info('stylize consistency', JSON.stringify({ ...result.consistency, img2imgMs: Math.round(result.img2imgMs), extractMs: Math.round(result.extractMs), encodeMs: Math.round(result.encodeMs) }));
  });

  it('reads WebM (no audio) and GIF clips given as bytes', async () => {
    const webm = join(dir, 'clip.webm');
    await makeTestClip(tools, webm, { seconds: 1, fps: 8, width: 96, height: 64, audio: false });
    const fromWebm = await stylizeClip(tools, { input: await readFile(webm), style: style(), fps: 4, uploadLimitBytes: LIMIT });
    expect(fromWebm.input.formatName).toContain('webm');
    expect(fromWebm.clip.probe.hasAudio).toBe(false);
    expect(fromWebm.clip.probe.video).toMatchObject({ codec: 'h264', width: 96, height: 64 });

    const gif = join(dir, 'clip.gif');
    await makeTestClip(tools, gif, { seconds: 1, fps: 8, width: 96, height: 64, audio: false });
    const fromGif = await stylizeClip(tools, { input: await readFile(gif), style: style(), fps: 4, temporalSmoothing: 0, uploadLimitBytes: LIMIT });
    expect(fromGif.input.formatName).toBe('gif');
    expect(fromGif.frames).toBe(4);
  });

  it('refuses what is not a video, or is too long, too big or too large, in one sentence', async () => {
    const notes = join(dir, 'notes.mp4');
    await writeFile(notes, 'not a video at all\n');
    const still = join(dir, 'still.png');
    await writeFile(still, await panelPng('#336699'));
    const long = join(dir, 'long.mp4');
    await makeTestClip(tools, long, { seconds: 12, fps: 4, width: 64, height: 48, audio: false });
    const base = { style: style(), uploadLimitBytes: LIMIT };

    await expect(stylizeClip(tools, { ...base, input: notes })).rejects.toThrow(/^That file is not a video ffmpeg can read; send an MP4, WebM or GIF\.$/);
    await expect(stylizeClip(tools, { ...base, input: still })).rejects.toThrow(/^That file is not a video \(it reads as png_pipe\); send an MP4, WebM or GIF\.$/);
    await expect(stylizeClip(tools, { ...base, input: long })).rejects.toThrow(/^The clip lasts 12\.0 s; clips up to 10 s can be restyled \(trim it first\)\.$/);
    await expect(stylizeClip(tools, { ...base, input: clip(), limits: { maxInputBytes: 4096 } })).rejects.toThrow(/^The clip is 0\.\d MiB; clips up to 0\.0 MiB can be restyled\.$/);
    await expect(stylizeClip(tools, { ...base, input: await readFile(clip()), limits: { maxInputBytes: 4096 } })).rejects.toThrowError(MediaInputError);
    await expect(stylizeClip(tools, { ...base, input: clip(), limits: { maxInputSide: 100 } })).rejects.toThrow(/^The clip is 160x120; clips up to 100 pixels on a side can be restyled\.$/);
    await expect(stylizeClip(tools, { ...base, input: clip(), temporalSmoothing: 2 })).rejects.toThrow(/^Temporal smoothing must be from 0 to 0\.9, not 2\.$/);
  });

  it('stops between frames when cancelled', async () => {
    const controller = new AbortController();
    const run = stylizeClip(tools, {
      input: clip(),
      style: style(),
      maxSide: 128,
      uploadLimitBytes: LIMIT,
      signal: controller.signal,
      onProgress: (p) => p.stage === 'frames' && p.done === 4 && controller.abort(new Error('user cancelled')),
    });
    await expect(run).rejects.toThrow('user cancelled');
  });
});
