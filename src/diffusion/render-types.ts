/**
 * The engine's public request and result shapes (ARCHITECTURE.md "Engine"). A request describes one
 * draft: N variants of one prompt that share steps, guidance and size and differ only in seed, so
 * the engine can run them as one batch.
 */
import type { SchedulerName } from '../core/schedulers/config.js';
import type { GrayImage, RgbImage } from '../core/image.js';
import type { OnlineStop } from '../core/budget/online-stop.js';

/** What EarlyStopRequest.observe receives after each step from minSteps on. */
export interface EarlyStopObservation {
  /** UNet steps run so far, of `total` scheduled. */
  step: number;
  total: number;
  /** Each variant's projected x0 change (core/budget/online-stop.ts). */
  projected: number[];
  /** The pictures the run would end on if it stopped now (decodes every variant). */
  finish: () => Promise<RgbImage[]>;
}

/**
 * The online step-budget rule for a txt2img run (ignored for img2img and inpainting): stop once every
 * variant's x0 estimate has settled. `observe` lets calibration record the whole trace of one run.
 */
export interface EarlyStopRequest extends OnlineStop {
  observe?: (observation: EarlyStopObservation) => Promise<void>;
}

/** What onStep receives: after `step` of `total` UNet steps, with a preview every previewEvery steps. */
export interface StepProgress {
  step: number;
  total: number;
  /** The x0 prediction of every variant through the SD1.x linear latent->RGB map, tiled, at latent size. */
  preview?: RgbImage;
}

export interface RenderRequest {
  prompt: string;
  /** Defaults to "" (diffusers' unconditional prompt). */
  negativePrompt?: string;
  seed: number;
  steps: number;
  guidance: number;
  /** Defaults to the model folder's scheduler_config.json. */
  scheduler?: SchedulerName;
  width: number;
  height: number;
  variants: number;
  /** img2img / inpaint source, already width x height (png.ts resizes). */
  init?: RgbImage;
  /** img2img: how much to change, (0, 1]. Inpaint: optional, default 1 (start from pure noise). */
  strength?: number;
  /** Inpaint: width x height, 255 = repaint. Needs `init`. */
  mask?: GrayImage;
  /**
   * Initial noise like diffusers' `latents=`: variants * 4 * (height/8) * (width/8) values, NCHW,
   * standard normal (the engine multiplies by the scheduler's initNoiseSigma). Replaces the seeded draw.
   */
  latents?: Float32Array;
  onStep?: (progress: StepProgress) => void;
  /** Preview interval in steps; 0 or undefined = no previews (onStep still runs every step). */
  previewEvery?: number;
  signal?: AbortSignal;
  earlyStop?: EarlyStopRequest;
}

/** Milliseconds spent inside each model's session.run, and how often the UNet ran. */
export interface RenderTimings {
  textEncoderMs: number;
  unetMs: number;
  vaeEncoderMs: number;
  vaeDecoderMs: number;
  unetCalls: number;
}

export interface RenderResult {
  images: RgbImage[];
  /** The seed of each variant (variantSeed(seed, i)). */
  seeds: number[];
  /** UNet steps actually run (fewer than requested for img2img strength < 1). */
  steps: number;
  /** The scheduled step count when the online rule ended the run early (then `steps` < this). */
  scheduledSteps?: number;
  /** Sum of the time spent in all models. */
  modelMs: number;
  totalMs: number;
  warnings: string[];
  timings: RenderTimings;
  /** Set when the model ran at its native size and the images were upscaled to the requested size. */
  renderedAt?: { width: number; height: number };
}

export function emptyTimings(): RenderTimings {
  return { textEncoderMs: 0, unetMs: 0, vaeEncoderMs: 0, vaeDecoderMs: 0, unetCalls: 0 };
}
