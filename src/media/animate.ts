/**
 * Animates one panel into a short clip (2-6 s): a virtual camera moves over the still (zoom or pan,
 * chosen by src/core/camera-motion.ts), and, when an engine is given, img2img at low strength redraws
 * keyframes so fine detail lives instead of sliding by as a flat photo. Every keyframe uses the SAME
 * seed, so the added noise is the same field each time ("shared noise") and details do not boil from
 * frame to frame. img2img runs on every k-th frame; a frame in between is the crossfade of its two
 * keyframes, each first moved to that frame's camera window (an exact scale and shift, window-warp.ts),
 * so detail rides with the camera instead of ghosting, at 1/k of the cost of full-rate img2img. The clip is
 * encoded as MP4 plus a GIF (or WebP) preview, each under the upload limit.
 */
import sharp from 'sharp';
import { cameraWindow, type CameraMotion } from '../core/camera-motion.js';
import type { RgbImage } from '../core/image.js';
import type { SchedulerName } from '../core/schedulers/config.js';
import type { RenderRequest, RenderResult } from '../diffusion/render-types.js';
import { encodeGif, encodeMp4, encodeWebp, type ClipFormat, type EncodedClip } from './encode-clip.js';
import type { FfmpegTools } from './ffmpeg.js';
import { FrameConsistency } from './frame-consistency.js';
import { FrameFolder } from './frame-folder.js';
import { MediaInputError } from './media-input-error.js';
import { PanelCamera } from './panel-camera.js';
import { blendWarped, warpWindow } from './window-warp.js';

/** What animate and stylize need from the engine (DiffusionEngine has it). */
export interface ImageRenderer {
  render(req: RenderRequest): Promise<RenderResult>;
}

/** img2img settings for living detail; the same seed on every keyframe is the point. */
export interface DetailPass {
  engine: ImageRenderer;
  prompt: string;
  negativePrompt?: string;
  seed: number;
  /** How much img2img may change a keyframe, (0, 1]; 0.2-0.35 keeps the panel recognisable. Default 0.25. */
  strength?: number;
  steps?: number;
  guidance?: number;
  scheduler?: SchedulerName;
  /** img2img every k-th frame (1 = every frame). Default 3. */
  keyframeEvery?: number;
}

export interface AnimateRequest {
  panelPng: Buffer | Uint8Array;
  motion: CameraMotion;
  /** 2 to 6 seconds. */
  seconds: number;
  /** Default 12. */
  fps?: number;
  /** Longest side of the clip in pixels (rounded down to a multiple of 8). Default 512. */
  maxSide?: number;
  /** How far the camera moves (see cameraWindow). Default 0.2. */
  intensity?: number;
  detail?: DetailPass;
  /** Default ['mp4', 'gif']: the clip and its preview. */
  formats?: ClipFormat[];
  uploadLimitBytes: number;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number; stage: 'frames' | 'encode' }) => void;
}

export interface AnimateResult {
  clips: EncodedClip[];
  width: number;
  height: number;
  frames: number;
  keyframes: number;
  /** Time spent in img2img, drawing camera frames, and encoding, in ms. */
  img2imgMs: number;
  framesMs: number;
  encodeMs: number;
  /** Mean SSIM between consecutive frames of the plain camera move and of the output. */
  consistency: { camera: number; output: number };
}

export const ANIMATE_LIMITS = { minSeconds: 2, maxSeconds: 6, minFps: 4, maxFps: 30 } as const;

/** The clip size for a panel: aspect kept, long side at most maxSide, both sides multiples of 8. */
export function clipSize(panelWidth: number, panelHeight: number, maxSide: number): { width: number; height: number } {
  const fit = Math.min(1, maxSide / Math.max(panelWidth, panelHeight));
  return { width: Math.max(64, Math.floor((panelWidth * fit) / 8) * 8), height: Math.max(64, Math.floor((panelHeight * fit) / 8) * 8) };
}

/** The frame indices img2img runs on: every k-th, and always the last. */
export function keyframeIndices(count: number, every: number): number[] {
  const keys: number[] = [];
  for (let i = 0; i < count; i += Math.max(1, every)) keys.push(i);
  if (keys[keys.length - 1] !== count - 1) keys.push(count - 1);
  return keys;
}

/**
 * Renders and encodes the clip.
 * @example await animatePanel(tools, { panelPng, motion: 'zoom-in', seconds: 3, uploadLimitBytes: 10 << 20, detail: { engine, prompt, seed: 42 } })
 */
export async function animatePanel(tools: FfmpegTools, req: AnimateRequest): Promise<AnimateResult> {
  const fps = req.fps ?? 12;
  if (!(req.seconds >= ANIMATE_LIMITS.minSeconds && req.seconds <= ANIMATE_LIMITS.maxSeconds)) {
    throw new MediaInputError(`An animated panel lasts ${ANIMATE_LIMITS.minSeconds} to ${ANIMATE_LIMITS.maxSeconds} seconds, not ${req.seconds}.`);
  }
  if (!(Number.isInteger(fps) && fps >= ANIMATE_LIMITS.minFps && fps <= ANIMATE_LIMITS.maxFps)) {
    throw new MediaInputError(`The frame rate must be a whole number from ${ANIMATE_LIMITS.minFps} to ${ANIMATE_LIMITS.maxFps}, not ${fps}.`);
  }
  const strength = req.detail?.strength ?? 0.25;
  if (req.detail && !(strength > 0 && strength <= 1)) throw new MediaInputError(`The detail strength must be above 0 and at most 1, not ${strength}.`);
  const meta = await sharp(req.panelPng).metadata().catch(() => {
    throw new MediaInputError('The panel is not a picture I can read.');
  });
  const { width, height } = clipSize(meta.width ?? 0, meta.height ?? 0, req.maxSide ?? 512);
  const count = Math.round(req.seconds * fps);
  const formats = req.formats ?? ['mp4', 'gif'];
  const total = count + formats.length;
  const camera = await PanelCamera.open(req.panelPng, width, height);
  const keys = req.detail ? keyframeIndices(count, req.detail.keyframeEvery ?? 3) : [];
  const timing = { img2imgMs: 0, framesMs: 0, encodeMs: 0 };
  const cameraMeter = new FrameConsistency();
  const outputMeter = new FrameConsistency();

  const windowAt = (i: number) => cameraWindow(req.motion, count === 1 ? 1 : i / (count - 1), req.intensity);
  const plainFrame = async (i: number) => {
    const started = performance.now();
    const frame = await camera.frame(windowAt(i));
    timing.framesMs += performance.now() - started;
    return frame;
  };
  const redraw = async (plain: RgbImage): Promise<RgbImage> => {
    const d = req.detail!;
    const started = performance.now();
    const { images } = await d.engine.render({
      prompt: d.prompt,
      negativePrompt: d.negativePrompt,
      seed: d.seed,
      steps: d.steps ?? 20,
      guidance: d.guidance ?? 7.5,
      scheduler: d.scheduler,
      width,
      height,
      variants: 1,
      init: plain,
      strength,
      signal: req.signal,
    });
    timing.img2imgMs += performance.now() - started;
    return images[0]!;
  };

  return FrameFolder.using(async (folder) => {
    const write = async (i: number, plain: RgbImage, out: RgbImage) => {
      cameraMeter.add(plain);
      outputMeter.add(out);
      await folder.writeRgb('out', i, out);
      req.onProgress?.({ done: i + 1, total, stage: 'frames' });
    };
    if (!req.detail) {
      for (let i = 0; i < count; i++) {
        req.signal?.throwIfAborted();
        const plain = await plainFrame(i);
        await write(i, plain, plain);
      }
    } else {
      let a = keys[0]!;
      const plainA = await plainFrame(a);
      let keyA = await redraw(plainA);
      await write(a, plainA, keyA);
      for (const b of keys.slice(1)) {
        req.signal?.throwIfAborted();
        const plainB = await plainFrame(b);
        const keyB = await redraw(plainB);
        for (let i = a + 1; i < b; i++) {
          const plain = await plainFrame(i);
          const to = windowAt(i);
          const alpha = (i - a) / (b - a);
          await write(i, plain, blendWarped(warpWindow(keyA, windowAt(a), to), warpWindow(keyB, windowAt(b), to), alpha, plain));
        }
        await write(b, plainB, keyB);
        [a, keyA] = [b, keyB];
      }
    }
    const frames = folder.sequence('out', count, fps, width, height);
    const clips: EncodedClip[] = [];
    for (const format of formats) {
      req.signal?.throwIfAborted();
      const started = performance.now();
      const encode = format === 'mp4' ? encodeMp4 : format === 'gif' ? encodeGif : encodeWebp;
      clips.push(await encode(tools, frames, { limitBytes: req.uploadLimitBytes, signal: req.signal }));
      timing.encodeMs += performance.now() - started;
      req.onProgress?.({ done: count + clips.length, total, stage: 'encode' });
    }
    return {
      clips,
      width,
      height,
      frames: count,
      keyframes: keys.length,
      ...timing,
      consistency: { camera: cameraMeter.mean, output: outputMeter.mean },
    };
  });
}
