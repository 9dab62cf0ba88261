/**
 * Test material for the media tests, made on the spot with the real tools: panels drawn by sharp from
 * SVG (flat colours and shapes, so tests can find them again in frames), clips made by ffmpeg's own
 * test sources (testsrc pictures, sine audio), and frames read back out of encoded files.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../../src/core/image.js';
import { runFfmpeg, type FfmpegTools } from '../../src/media/ffmpeg.js';

/** A 256x192 panel: a flat background, a pale disc, a label. */
export function panelPng(color: string, label = '', width = 256, height = 192): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="${width}" height="${height}" fill="${color}"/><circle cx="${width / 2}" cy="${height / 2.4}" r="${height / 5}" fill="#ffffff" fill-opacity="0.6"/><text x="16" y="36" font-family="DejaVu Sans" font-size="26" fill="#000">${label}</text></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** Left half `left`, right half `right`: camera pans show up as a change in the colour balance. */
export function splitPanelPng(left: string, right: string, width = 256, height = 192): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="${width / 2}" height="${height}" fill="${left}"/><rect x="${width / 2}" width="${width / 2}" height="${height}" fill="${right}"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export interface TestClipOptions {
  seconds: number;
  fps: number;
  width: number;
  height: number;
  audio: boolean;
}

/** Encodes testsrc (+ a 440 Hz sine when audio) into `path`; the container follows the extension. */
export async function makeTestClip(tools: FfmpegTools, path: string, o: TestClipOptions): Promise<void> {
  const ext = path.slice(path.lastIndexOf('.') + 1);
  const video = ext === 'webm' ? ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '200k'] : ext === 'gif' ? [] : ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
  const audio = !o.audio || ext === 'gif' ? ['-an'] : ext === 'webm' ? ['-c:a', 'libopus', '-b:a', '48k'] : ['-c:a', 'aac', '-b:a', '64k'];
  await runFfmpeg(tools, {
    inputs: [
      { path: `testsrc=size=${o.width}x${o.height}:rate=${o.fps}:duration=${o.seconds}`, options: ['-f', 'lavfi'] },
      ...(o.audio && ext !== 'gif' ? [{ path: `sine=frequency=440:sample_rate=44100:duration=${o.seconds}`, options: ['-f', 'lavfi'] }] : []),
    ],
    output: path,
    outputOptions: [...video, ...audio, '-t', String(o.seconds)],
  });
}

/** Decodes frame `index` of an encoded clip (ffmpeg -> PNG -> sharp). */
export async function frameOf(tools: FfmpegTools, clipPath: string, index: number, dir: string): Promise<RgbImage> {
  const out = join(dir, `frame-${index}-${Date.now()}.png`);
  await runFfmpeg(tools, {
    inputs: [{ path: clipPath }],
    output: out,
    outputOptions: ['-vf', `select=eq(n\\,${index})`, '-frames:v', '1', '-fps_mode', 'passthrough'],
  });
  const { data, info } = await sharp(await readFile(out)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** Mean of each channel over a rectangle. */
export function meanColor(image: RgbImage, x0 = 0, y0 = 0, w = image.width, h = image.height): [number, number, number] {
  const sum = [0, 0, 0];
  for (let y = y0; y < y0 + h; y++) {
    for (let x = x0; x < x0 + w; x++) for (let c = 0; c < 3; c++) sum[c]! += image.data[(y * image.width + x) * 3 + c]!;
  }
  const n = w * h;
  return [sum[0]! / n, sum[1]! / n, sum[2]! / n];
}
