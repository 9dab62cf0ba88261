/**
 * Input checks for a render, run before any model work: each failure is a RenderInputError naming
 * the argument and its value ("height 500 is not a multiple of 8"), so the CLI and the bot can show
 * it as is. Also derives the settings the loop needs (latent size, CFG or not, strength, scheduler).
 */
import { SCHEDULER_NAMES, type SchedulerName } from '../core/schedulers/config.js';
import type { LoadedModel } from './model-loader.js';
import { RenderInputError } from './render-input-error.js';
import type { RenderRequest } from './render-types.js';

export const MAX_VARIANTS = 16;
export const MAX_STEPS = 500;
export const MAX_SIDE = 4096;

export interface RenderPlan {
  /** Latent height and width (height / 8, width / 8). */
  h: number;
  w: number;
  scheduler: SchedulerName;
  /** Classifier-free guidance batch [uncond, cond]: guidance > 1 and no LCM guidance embedding. */
  cfg: boolean;
  /** Strength when an init image is given (img2img default 0.8 as diffusers; inpaint default 1). */
  strength?: number;
  inpaint: boolean;
  warnings: string[];
}

function fail(argument: string, message: string): never {
  throw new RenderInputError(argument, message);
}

function checkInteger(argument: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(argument, `${argument} ${value} is not a whole number from ${min} to ${max}.`);
  }
}

/** Checks `req` against `model`; returns the plan or throws RenderInputError. */
export function planRender(model: LoadedModel, req: RenderRequest): RenderPlan {
  const warnings: string[] = [];
  if (typeof req.prompt !== 'string') fail('prompt', `prompt ${String(req.prompt)} is not text.`);
  if (req.negativePrompt !== undefined && typeof req.negativePrompt !== 'string') {
    fail('negativePrompt', `negativePrompt ${String(req.negativePrompt)} is not text.`);
  }
  checkInteger('seed', req.seed, 0, Number.MAX_SAFE_INTEGER);
  checkInteger('steps', req.steps, 1, MAX_STEPS);
  checkInteger('variants', req.variants, 1, MAX_VARIANTS);
  if (!Number.isFinite(req.guidance) || req.guidance < 0 || req.guidance > 50) {
    fail('guidance', `guidance ${req.guidance} is not a number from 0 to 50.`);
  }
  for (const side of ['width', 'height'] as const) {
    const value = req[side];
    checkInteger(side, value, 8, MAX_SIDE);
    if (value % 8 !== 0) fail(side, `${side} ${value} is not a multiple of 8.`);
  }
  const h = req.height / 8;
  const w = req.width / 8;
  const scheduler = req.scheduler ?? model.scheduler.name;
  if (!SCHEDULER_NAMES.includes(scheduler)) fail('scheduler', `scheduler ${String(scheduler)} is not one of ${SCHEDULER_NAMES.join(', ')}.`);
  if (req.previewEvery !== undefined) checkInteger('previewEvery', req.previewEvery, 0, MAX_STEPS);

  const unet = model.signature.unet;
  const cfg = req.guidance > 1 && !unet.timestepCond;
  if (unet.timestepCond && scheduler !== 'lcm') warnings.push(`This is an LCM model; scheduler ${scheduler} may give poor results (use lcm).`);
  if (!cfg && req.negativePrompt && !unet.timestepCond) warnings.push(`The negative prompt has no effect at guidance ${req.guidance} (it needs guidance above 1).`);

  if (req.latents !== undefined) {
    const want = req.variants * 4 * h * w;
    if (!(req.latents instanceof Float32Array) || req.latents.length !== want) {
      fail('latents', `latents has ${req.latents?.length ?? 0} values, but ${req.variants} variant(s) at ${req.width}x${req.height} need ${want} (variants x 4 x ${h} x ${w}).`);
    }
    if (!req.latents.every(Number.isFinite)) fail('latents', 'latents holds values that are not finite numbers.');
  }

  const init = req.init;
  if (init) {
    if (init.width !== req.width || init.height !== req.height) {
      fail('init', `init is ${init.width}x${init.height}, but the render is ${req.width}x${req.height} (resize it first).`);
    }
    if (init.data.length !== init.width * init.height * 3) fail('init', `init has ${init.data.length} bytes, not width x height x 3.`);
    if (!model.signature.vaeEncoder) fail('init', `${model.folder.dir} has no vae_encoder/model.onnx, so it cannot start from an init image.`);
  }
  const mask = req.mask;
  if (mask) {
    if (!init) fail('mask', 'mask needs an init image to paint into.');
    if (mask.width !== req.width || mask.height !== req.height) {
      fail('mask', `mask is ${mask.width}x${mask.height}, but the render is ${req.width}x${req.height} (resize it first).`);
    }
    if (mask.data.length !== mask.width * mask.height) fail('mask', `mask has ${mask.data.length} bytes, not width x height.`);
  } else if (unet.channels === 9 && init) {
    warnings.push('This is an inpainting model; without a mask it repaints the whole image.');
  }
  let strength: number | undefined;
  if (req.strength !== undefined) {
    if (!init) fail('strength', `strength ${req.strength} needs an init image.`);
    if (!(req.strength > 0 && req.strength <= 1)) fail('strength', `strength ${req.strength} is not in (0, 1].`);
    strength = req.strength;
  } else if (init) {
    strength = mask ? 1 : 0.8;
  }
  return { h, w, scheduler, cfg, strength, inpaint: mask !== undefined, warnings };
}
