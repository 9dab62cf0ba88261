/**
 * Restyles a short clip (the Gen-1 idea without its networks): the clip's frames are extracted at a
 * fixed rate and downscaled, each frame is redrawn by img2img with the style prompt, every frame with
 * the SAME seed so the added noise is one shared field (less flicker than a fresh seed per frame), and
 * optionally blended with the previous stylised frame (temporal smoothing). The frames are re-encoded
 * as MP4 with the original clip's audio. Frame consistency (mean SSIM between consecutive frames) is
 * measured on the input and on the output, the stand-in for Gen-1's CLIP frame consistency.
 */
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RgbImage } from '../core/image.js';
import type { SchedulerName } from '../core/schedulers/config.js';
import type { ImageRenderer } from './animate.js';
import { encodeMp4, type EncodedClip } from './encode-clip.js';
import { probeMedia, runFfmpeg, type FfmpegTools, type MediaProbe } from './ffmpeg.js';
import { FrameConsistency } from './frame-consistency.js';
import { FrameFolder } from './frame-folder.js';
import { MediaInputError } from './media-input-error.js';

/** What a clip may be before we try to restyle it. */
export interface StylizeLimits {
  maxInputBytes: number;
  maxSeconds: number;
  /** Longest side of the input; bigger clips are refused rather than decoded. */
  maxInputSide: number;
}

export const STYLIZE_LIMITS: StylizeLimits = { maxInputBytes: 50 * 1024 * 1024, maxSeconds: 10, maxInputSide: 4096 };

export interface StyleSettings {
  engine: ImageRenderer;
  prompt: string;
  negativePrompt?: string;
  seed: number;
  /** How much img2img may change each frame, (0, 1]. Default 0.5. */
  strength?: number;
  steps?: number;
  guidance?: number;
  scheduler?: SchedulerName;
}

export interface StylizeRequest {
  /** A file path, or the clip's bytes. */
  input: string | Uint8Array;
  style: StyleSettings;
  /** Frames per second to extract and render. Default 8. */
  fps?: number;
  /** Longest side of the output (rounded down to a multiple of 8). Default 512. */
  maxSide?: number;
  /** Weight of the previous stylised frame in each output frame, [0, 0.9]. Default 0.25; 0 = off. */
  temporalSmoothing?: number;
  limits?: Partial<StylizeLimits>;
  uploadLimitBytes: number;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number; stage: 'extract' | 'frames' | 'encode' }) => void;
}

export interface StylizeResult {
  clip: EncodedClip;
  input: MediaProbe;
  frames: number;
  width: number;
  height: number;
  /** Mean SSIM between consecutive frames, of the extracted input frames and of the output frames. */
  consistency: { input: number; output: number };
  img2imgMs: number;
  extractMs: number;
  encodeMs: number;
}

const VIDEO_CONTAINERS = ['mp4', 'mov', 'webm', 'matroska', 'gif'];
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/**
 * Checks that `path` is a video within `limits`; returns its probe or throws MediaInputError with one
 * sentence the user can act on.
 */
export async function checkClip(tools: FfmpegTools, path: string, limits: StylizeLimits = STYLIZE_LIMITS): Promise<MediaProbe> {
  const { size } = await stat(path);
  if (size > limits.maxInputBytes) {
    throw new MediaInputError(`The clip is ${mib(size)}; clips up to ${mib(limits.maxInputBytes)} can be restyled.`);
  }
  const probe = await probeMedia(tools, path).catch(() => {
    throw new MediaInputError('That file is not a video ffmpeg can read; send an MP4, WebM or GIF.');
  });
  const containers = probe.formatName.split(',');
  if (!probe.video || !containers.some((c) => VIDEO_CONTAINERS.includes(c))) {
    throw new MediaInputError(`That file is not a video (it reads as ${containers[0]}); send an MP4, WebM or GIF.`);
  }
  if (!(probe.durationSec > 0) || (probe.video.frames !== undefined && probe.video.frames < 2)) {
    throw new MediaInputError('That clip has a single frame, so it is a still picture; send a moving clip.');
  }
  if (probe.durationSec > limits.maxSeconds) {
    throw new MediaInputError(`The clip lasts ${probe.durationSec.toFixed(1)} s; clips up to ${limits.maxSeconds} s can be restyled (trim it first).`);
  }
  const { width, height } = probe.video;
  if (Math.max(width, height) > limits.maxInputSide) {
    throw new MediaInputError(`The clip is ${width}x${height}; clips up to ${limits.maxInputSide} pixels on a side can be restyled.`);
  }
  return probe;
}

/** Working size: aspect kept, long side at most maxSide, both sides multiples of 8 and at least 64. */
function workingSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const fit = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(64, Math.floor((width * fit) / 8) * 8), height: Math.max(64, Math.floor((height * fit) / 8) * 8) };
}

/**
 * Restyles a clip and encodes it under the upload limit.
 * @example await stylizeClip(tools, { input: 'walk.mp4', style: { engine, prompt: 'clay puppets', seed: 7 }, uploadLimitBytes: 10 << 20 })
 */
export async function stylizeClip(tools: FfmpegTools, req: StylizeRequest): Promise<StylizeResult> {
  const limits = { ...STYLIZE_LIMITS, ...req.limits };
  const fps = req.fps ?? 8;
  const smoothing = req.temporalSmoothing ?? 0.25;
  const strength = req.style.strength ?? 0.5;
  if (!(Number.isInteger(fps) && fps >= 1 && fps <= 30)) throw new MediaInputError(`The frame rate must be a whole number from 1 to 30, not ${fps}.`);
  if (!(smoothing >= 0 && smoothing <= 0.9)) throw new MediaInputError(`Temporal smoothing must be from 0 to 0.9, not ${smoothing}.`);
  if (!(strength > 0 && strength <= 1)) throw new MediaInputError(`The style strength must be above 0 and at most 1, not ${strength}.`);
  if (typeof req.input !== 'string' && req.input.byteLength > limits.maxInputBytes) {
    throw new MediaInputError(`The clip is ${mib(req.input.byteLength)}; clips up to ${mib(limits.maxInputBytes)} can be restyled.`);
  }

  return FrameFolder.using(async (folder) => {
    let inputPath = req.input as string;
    if (typeof req.input !== 'string') {
      inputPath = join(folder.dir, 'input.bin');
      await writeFile(inputPath, req.input);
    }
    const probe = await checkClip(tools, inputPath, limits);
    const { width, height } = workingSize(probe.video!.width, probe.video!.height, req.maxSide ?? 512);
    const expected = Math.max(1, Math.ceil(probe.durationSec * fps));

    let started = performance.now();
    req.onProgress?.({ done: 0, total: expected + 2, stage: 'extract' });
    await runFfmpeg(tools, {
      inputs: [{ path: inputPath }],
      output: join(folder.dir, folder.pattern('in')),
      outputOptions: ['-vf', `fps=${fps},scale=${width}:${height}:flags=lanczos`, '-an', '-pix_fmt', 'rgb24', '-start_number', '0', '-frames:v', String(expected + 1)],
      signal: req.signal,
    });
    const extractMs = performance.now() - started;
    const count = await countFrames(folder, expected + 1);
    if (count < 2) throw new MediaInputError('That clip is too short to restyle; send at least a fraction of a second of video.');
    const total = count + 2;
    req.onProgress?.({ done: 1, total, stage: 'frames' });

    const inputMeter = new FrameConsistency();
    const outputMeter = new FrameConsistency();
    let previous: RgbImage | undefined;
    let img2imgMs = 0;
    for (let i = 0; i < count; i++) {
      req.signal?.throwIfAborted();
      const frame = await folder.readRgb('in', i);
      inputMeter.add(frame);
      started = performance.now();
      const { images } = await req.style.engine.render({
        prompt: req.style.prompt,
        negativePrompt: req.style.negativePrompt,
        seed: req.style.seed,
        steps: req.style.steps ?? 20,
        guidance: req.style.guidance ?? 7.5,
        scheduler: req.style.scheduler,
        width,
        height,
        variants: 1,
        init: frame,
        strength,
        signal: req.signal,
      });
      img2imgMs += performance.now() - started;
      const out = previous && smoothing > 0 ? mix(images[0]!, previous, smoothing) : images[0]!;
      outputMeter.add(out);
      await folder.writeRgb('out', i, out);
      previous = out;
      req.onProgress?.({ done: i + 2, total, stage: 'frames' });
    }

    started = performance.now();
    const clip = await encodeMp4(tools, folder.sequence('out', count, fps, width, height), {
      limitBytes: req.uploadLimitBytes,
      audioFrom: probe.hasAudio ? inputPath : undefined,
      signal: req.signal,
    });
    const encodeMs = performance.now() - started;
    req.onProgress?.({ done: total, total, stage: 'encode' });
    return {
      clip,
      input: probe,
      frames: count,
      width,
      height,
      consistency: { input: inputMeter.mean, output: outputMeter.mean },
      img2imgMs,
      extractMs,
      encodeMs,
    };
  });
}

async function countFrames(folder: FrameFolder, max: number): Promise<number> {
  let n = 0;
  while (n < max && (await stat(folder.path('in', n)).then(() => true, () => false))) n++;
  return n;
}

/** (1 - w) * current + w * previous, per channel. */
function mix(current: RgbImage, previous: RgbImage, w: number): RgbImage {
  const out = new Uint8Array(current.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round((1 - w) * current.data[i]! + w * previous.data[i]!);
  return { width: current.width, height: current.height, data: out };
}
