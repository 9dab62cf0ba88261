/**
 * What the media job handlers share: the engine (for img2img detail and restyling; absent on a worker
 * without a model), where ffmpeg is, the upload limit, and the engine defaults. Also the two small
 * rules every handler follows: locate ffmpeg per job (so a worker without ffmpeg still serves drafts,
 * and media jobs fail with the one sentence that says what to install), and turn media errors the user
 * or operator must fix into JobInputError, which the worker runtime never retries.
 */
import type { RgbImage } from '../../core/image.js';
import { JobInputError } from '../../queue/index.js';
import type { ImageRenderer } from '../animate.js';
import { FfmpegMissingError } from '../ffmpeg-missing-error.js';
import { locateFfmpeg, type FfmpegSettings, type FfmpegTools } from '../ffmpeg.js';
import { MediaInputError } from '../media-input-error.js';

export interface MediaJobDeps {
  /** The loaded model; without it animate moves the camera only and stylize is refused. */
  engine?: ImageRenderer;
  /** FFMPEG_PATH / FFPROBE_PATH from the config. */
  ffmpeg: FfmpegSettings;
  /** UPLOAD_LIMIT_BYTES: every result must fit one Discord attachment. */
  uploadLimitBytes: number;
  /** RENDER_STEPS and RENDER_GUIDANCE: img2img settings when a payload names none. */
  steps: number;
  guidance: number;
  /**
   * The model's safety checker over pictures the model drew (workers/safety-screen.ts): flagged ones
   * come back blurred. Absent when the worker has no model; a model without a checker passes all.
   */
  screen?: (images: RgbImage[]) => Promise<{ images: RgbImage[]; blurred: number[] }>;
}

/**
 * `engine` with every picture it draws passed through `deps.screen` when the job asks for it
 * (payload `safetyCheck`), counting the blurred ones in `tally`: animate keyframes and restyled
 * frames are screened as drafts are.
 */
export function screenedRenderer(engine: ImageRenderer, deps: MediaJobDeps, safetyCheck: boolean, tally: { blurred: number }): ImageRenderer {
  const screen = deps.screen;
  if (!safetyCheck || !screen) return engine;
  return {
    async render(req) {
      const result = await engine.render(req);
      const screened = await screen(result.images);
      tally.blurred += screened.blurred.length;
      return { ...result, images: screened.images };
    },
  };
}

/** The note a clip carries when the safety checker blurred some of its frames. */
export function blurredFramesNote(blurred: number): string | undefined {
  if (blurred === 0) return undefined;
  return `The safety checker blurred ${blurred === 1 ? 'one frame' : `${blurred} frames`} the model drew.`;
}

export function toolsFor(deps: MediaJobDeps): FfmpegTools {
  try {
    return locateFfmpeg(deps.ffmpeg);
  } catch (error) {
    if (error instanceof FfmpegMissingError) throw new JobInputError(`Videos cannot be made here: ${error.message}`);
    throw error;
  }
}

/** Runs `work`, reporting media problems as JobInputError (same request, same failure: no retry). */
export async function asJob<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof MediaInputError || error instanceof FfmpegMissingError) throw new JobInputError(error.message);
    throw error;
  }
}

/** A stable seed for a blob (its sha256 prefix), for jobs that do not carry one. */
export function seedFromKey(key: string): number {
  return Number.parseInt(key.slice(0, 8), 16) >>> 0;
}
