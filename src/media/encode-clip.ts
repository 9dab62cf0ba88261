/**
 * Encodes a folder of frames for Discord: MP4 (H.264, yuv420p, even dimensions, +faststart so it plays
 * while loading), GIF (palettegen/paletteuse, which keeps colours clean and files small) and animated
 * WebP. Every file must fit the upload limit (10 MiB by default), so each encoder walks a ladder of
 * cheaper settings (higher CRF, smaller scale, lower fps, fewer colours) until the file fits, and says
 * in one sentence when even the last rung is too big.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { probeMedia, runFfmpeg, type FfmpegTools, type MediaProbe } from './ffmpeg.js';
import type { FrameSequence } from './frame-folder.js';
import { MediaInputError } from './media-input-error.js';

export type ClipFormat = 'mp4' | 'gif' | 'webp';

/** One encoding tried: its settings and the size it came out at. */
export interface EncodeAttempt {
  format: ClipFormat;
  width: number;
  height: number;
  fps: number;
  /** MP4: x264 constant rate factor (lower = better). */
  crf?: number;
  /** GIF: palette size. */
  colors?: number;
  /** WebP: quality 0-100. */
  quality?: number;
  audioKbps?: number;
  bytes: number;
}

export interface EncodedClip {
  format: ClipFormat;
  bytes: Buffer;
  probe: MediaProbe;
  /** Every attempt in order; the last one is the file returned. */
  attempts: EncodeAttempt[];
}

export interface EncodeOptions {
  limitBytes: number;
  signal?: AbortSignal;
  /** MP4 only: take the first audio track of this file (cut to the video's length). */
  audioFrom?: string;
  /** Longest side of the first rung; default: the frames' size (GIF: at most 320). */
  maxSide?: number;
  /** MP4 only: CRF of the first rung (default 23). */
  crf?: number;
}

interface Rung {
  scale: number;
  halfFps: boolean;
  crf: number;
  colors: number;
  quality: number;
  audioKbps: number;
}

// From "looks as rendered" to "still recognisable": each rung roughly halves the size of the last.
const LADDER: readonly Omit<Rung, 'crf'>[] = [
  { scale: 1, halfFps: false, colors: 128, quality: 75, audioKbps: 128 },
  { scale: 1, halfFps: false, colors: 96, quality: 60, audioKbps: 96 },
  { scale: 0.75, halfFps: false, colors: 64, quality: 50, audioKbps: 64 },
  { scale: 0.5, halfFps: false, colors: 48, quality: 40, audioKbps: 48 },
  { scale: 0.5, halfFps: true, colors: 32, quality: 30, audioKbps: 32 },
  { scale: 0.33, halfFps: true, colors: 16, quality: 25, audioKbps: 32 },
];

const even = (n: number) => Math.max(2, 2 * Math.round(n / 2));
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MiB`;

function rungSize(frames: FrameSequence, maxSide: number, scale: number): { width: number; height: number } {
  const fit = Math.min(1, maxSide / Math.max(frames.width, frames.height)) * scale;
  return { width: even(frames.width * fit), height: even(frames.height * fit) };
}

function outputOptions(format: ClipFormat, size: { width: number; height: number }, fps: number, rung: Rung, audio: boolean): string[] {
  const scale = `fps=${fps},scale=${size.width}:${size.height}:flags=lanczos`;
  if (format === 'gif') {
    // One pass: split the stream, build a palette from one copy, map the other through it.
    const graph = `${scale},split[a][b];[a]palettegen=max_colors=${rung.colors}:stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=3:diff_mode=rectangle`;
    return ['-filter_complex', graph, '-loop', '0'];
  }
  if (format === 'webp') {
    return ['-vf', scale, '-c:v', 'libwebp_anim', '-lossless', '0', '-quality', String(rung.quality), '-compression_level', '4', '-loop', '0', '-an'];
  }
  const audioArgs = audio ? ['-map', '1:a:0', '-c:a', 'aac', '-b:a', `${rung.audioKbps}k`, '-shortest'] : ['-an'];
  return [
    '-map', '0:v:0', ...audioArgs,
    '-vf', `${scale},format=yuv420p`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(rung.crf), '-pix_fmt', 'yuv420p',
    '-movflags', '+faststart', '-threads', '2',
  ];
}

async function encodeWithLadder(tools: FfmpegTools, format: ClipFormat, frames: FrameSequence, opts: EncodeOptions): Promise<EncodedClip> {
  if (frames.count < 1) throw new Error('there are no frames to encode');
  const maxSide = opts.maxSide ?? (format === 'gif' ? Math.min(320, Math.max(frames.width, frames.height)) : Math.max(frames.width, frames.height));
  const startFps = format === 'gif' ? Math.min(frames.fps, 12) : frames.fps;
  const attempts: EncodeAttempt[] = [];
  const audio = format === 'mp4' && opts.audioFrom !== undefined;
  for (const [i, step] of LADDER.entries()) {
    const rung: Rung = { ...step, crf: Math.min(51, (opts.crf ?? 23) + 4 * i) };
    const size = rungSize(frames, maxSide, rung.scale);
    const fps = rung.halfFps ? Math.max(4, Math.round(startFps / 2)) : startFps;
    const output = join(frames.dir, `encoded-${i}.${format}`);
    await runFfmpeg(tools, {
      inputs: [
        { path: join(frames.dir, frames.pattern), options: ['-framerate', String(frames.fps), '-start_number', '0'] },
        ...(audio ? [{ path: opts.audioFrom! }] : []),
      ],
      output,
      outputOptions: outputOptions(format, size, fps, rung, audio),
      signal: opts.signal,
    });
    const bytes = await readFile(output);
    attempts.push({
      format,
      ...size,
      fps,
      ...(format === 'mp4' ? { crf: rung.crf } : format === 'gif' ? { colors: rung.colors } : { quality: rung.quality }),
      ...(audio ? { audioKbps: rung.audioKbps } : {}),
      bytes: bytes.length,
    });
    if (bytes.length <= opts.limitBytes) {
      const probe = await probeMedia(tools, output);
      await rm(output, { force: true });
      return { format, bytes, probe, attempts };
    }
    await rm(output, { force: true });
  }
  const last = attempts[attempts.length - 1]!;
  throw new MediaInputError(
    `The ${format.toUpperCase()} is still ${mib(last.bytes)} at the smallest settings, over the ${mib(opts.limitBytes)} upload limit; try a shorter clip or fewer panels.`,
  );
}

/**
 * H.264 MP4 under `limitBytes`.
 * @example const clip = await encodeMp4(tools, frames, { limitBytes: config.UPLOAD_LIMIT_BYTES });
 */
export function encodeMp4(tools: FfmpegTools, frames: FrameSequence, opts: EncodeOptions): Promise<EncodedClip> {
  return encodeWithLadder(tools, 'mp4', frames, opts);
}

/** Looping GIF preview under `limitBytes` (at most 320 px on the long side and 12 fps by default). */
export function encodeGif(tools: FfmpegTools, frames: FrameSequence, opts: EncodeOptions): Promise<EncodedClip> {
  return encodeWithLadder(tools, 'gif', frames, opts);
}

/** Looping animated WebP under `limitBytes`. */
export function encodeWebp(tools: FfmpegTools, frames: FrameSequence, opts: EncodeOptions): Promise<EncodedClip> {
  return encodeWithLadder(tools, 'webp', frames, opts);
}
