// The ffmpeg adapter with the real binaries: finding them (config, PATH, missing), probing a clip made
// by ffmpeg itself, file names that would be dangerous in a shell, and killing a run on abort.
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegMissingError } from '../src/media/ffmpeg-missing-error.js';
import { locateFfmpeg, probeMedia, runFfmpeg, type FfmpegTools } from '../src/media/ffmpeg.js';
import { makeTestClip } from './support/media-fixtures.js';

let dir: string;
let tools: FfmpegTools;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'taleframe-media-ffmpeg-'));
  tools = locateFfmpeg({});
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('locating ffmpeg', () => {
  it('uses the system programs on PATH when nothing is configured', () => {
    expect(tools.source).toBe('path');
    expect(tools.ffmpeg).toMatch(/ffmpeg$/);
    expect(tools.ffprobe).toMatch(/ffprobe$/);
  });

  it('prefers FFMPEG_PATH, with the ffprobe beside it', () => {
    const found = locateFfmpeg({ FFMPEG_PATH: tools.ffmpeg }, { PATH: '' });
    expect(found).toEqual({ ffmpeg: tools.ffmpeg, ffprobe: tools.ffprobe, source: 'config' });
  });

  it('says in one sentence when the programs are missing or a setting is wrong', async () => {
    expect(() => locateFfmpeg({}, { PATH: '' })).toThrowError(FfmpegMissingError);
    expect(() => locateFfmpeg({}, { PATH: '' })).toThrow(/^ffmpeg and ffprobe were not found: install ffmpeg .* or set FFMPEG_PATH and FFPROBE_PATH/);
    expect(() => locateFfmpeg({ FFMPEG_PATH: join(dir, 'nope') })).toThrow(/^FFMPEG_PATH is set to .*nope, which is not an executable file/);
    const onlyFfmpeg = join(dir, 'bin-only-ffmpeg');
    await mkdir(onlyFfmpeg);
    await symlink(tools.ffmpeg, join(onlyFfmpeg, 'ffmpeg'));
    expect(() => locateFfmpeg({}, { PATH: onlyFfmpeg })).toThrow(/^ffprobe was not found/);
  });
});

describe('running and probing', () => {
  it('probes duration, fps, codec, size and audio of a real clip', async () => {
    const path = join(dir, 'probe.mp4');
    await makeTestClip(tools, path, { seconds: 2, fps: 8, width: 128, height: 96, audio: true });
    const probe = await probeMedia(tools, path);
    expect(probe.formatName).toContain('mp4');
    expect(probe.durationSec).toBeGreaterThan(1.9);
    expect(probe.durationSec).toBeLessThan(2.15);
    expect(probe.video).toMatchObject({ codec: 'h264', width: 128, height: 96, fps: 8, pixFmt: 'yuv420p', frames: 16 });
    expect(probe.hasAudio).toBe(true);
    expect(probe.audioCodec).toBe('aac');
    expect(probe.sizeBytes).toBeGreaterThan(1000);
  });

  it('treats shell-looking file names as plain names (no shell is involved)', async () => {
    const evil = join(dir, `it's "a" clip; touch pwned $(id) & echo.mp4`);
    await makeTestClip(tools, evil, { seconds: 1, fps: 4, width: 64, height: 48, audio: false });
    const probe = await probeMedia(tools, evil);
    expect(probe.video?.codec).toBe('h264');
    expect(probe.hasAudio).toBe(false);
    await expect(stat(join(process.cwd(), 'pwned'))).rejects.toThrow();
    await expect(stat(join(dir, 'pwned'))).rejects.toThrow();
  });

  it('rejects what ffprobe cannot read', async () => {
    const path = join(dir, 'notes.mp4');
    await writeFile(path, 'these are not video bytes\n');
    await expect(probeMedia(tools, path)).rejects.toThrow(/ffprobe could not read the file/);
  });

  it('kills ffmpeg when the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    // -re reads the 60 s source in real time, so only the abort can end this run early.
    const run = runFfmpeg(tools, {
      inputs: [{ path: 'testsrc=size=64x48:rate=4:duration=60', options: ['-re', '-f', 'lavfi'] }],
      output: join(dir, 'aborted.mp4'),
      outputOptions: ['-c:v', 'libx264', '-preset', 'ultrafast'],
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('cancelled by the test')), 400);
    await expect(run).rejects.toThrow('cancelled by the test');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
