/**
 * What the media job handlers share: the engine (for img2img detail and restyling; absent on a worker
 * without a model), where ffmpeg is, the upload limit, and the engine defaults. Also the two small
 * rules every handler follows: locate ffmpeg per job (so a worker without ffmpeg still serves drafts,
 * and media jobs fail with the one sentence that says what to install), and turn media errors the user
 * or operator must fix into JobInputError, which the worker runtime never retries.
 */
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
