/**
 * What a render on the toy model should look like, from the toy's closed form: its data for a
 * prompt is N(mu, s^2 I) in latent space, and a deterministic sampler run to the end maps starting
 * noise z to about mu + s z (the probability-flow ODE of a Gaussian keeps z). The expected latents
 * go through the model's own VAE decoder session, so the comparison isolates the pipeline's loop.
 */
import type { RgbImage } from '../../src/core/image.js';
import type { DiffusionEngine } from '../../src/diffusion/engine.js';
import { decodeLatents } from '../../src/diffusion/vae.js';
import { createScheduler, type SchedulerName } from '../../src/core/schedulers/index.js';
import { pooledDirection, toyDenoise, toyMean, toySpread } from '../../src/toy-model/toy-reference.js';
import { toyWeights } from '../../src/toy-model/toy-spec.js';

/** Decoded image of mu + spreadScale * s * z for `prompt` at latent size h x w. */
export async function toyExpectedImage(engine: DiffusionEngine, prompt: string, z: Float32Array, h: number, w: number, spreadScale = 1): Promise<RgbImage> {
  const { tokenizer, prompts, sessions, signature, folder } = engine.model;
  const weights = toyWeights(Math.max(tokenizer.bosId, tokenizer.eosId) + 1);
  const hidden = (await prompts.encode(prompt)).windows[0];
  const pooled = pooledDirection(hidden, prompts.windowLength);
  const mu = toyMean(weights, pooled, h, w);
  const s = toySpread(weights, pooled) * spreadScale;
  const x0 = Float32Array.from(mu, (m, i) => m + s * z[i]);
  return decodeLatents({ session: sessions.vaeDecoder, ms: 0 }, signature.vaeDecoder, x0, h, w, folder.vaeScalingFactor);
}

/**
 * The same sampling loop as the engine (no CFG, guidance 1) but over the toy's float64 closed-form
 * denoiser instead of the ONNX UNet: what the pipeline must reproduce for this model and scheduler.
 */
export async function toyReferenceRender(
  engine: DiffusionEngine, prompt: string, z: Float32Array, h: number, w: number, scheduler: SchedulerName, steps: number,
  img2img?: { initLatents: Float32Array; strength: number },
): Promise<RgbImage> {
  const { tokenizer, prompts, sessions, signature, folder } = engine.model;
  const weights = toyWeights(Math.max(tokenizer.bosId, tokenizer.eosId) + 1);
  const pooled = pooledDirection((await prompts.encode(prompt)).windows[0], prompts.windowLength);
  const config = engine.model.scheduler.config;
  const s = createScheduler(scheduler, config);
  s.setTimesteps(steps);
  let x: Float32Array = z.map((v) => v * s.initNoiseSigma);
  let start = 0;
  if (img2img) {
    // diffusers img2img: skip the first steps, start from the init noised to timesteps[start].
    start = s.img2imgStart(img2img.strength);
    x = s.addNoise(img2img.initLatents, z, s.timesteps[start]);
  }
  for (let i = start; i < s.timesteps.length; i++) {
    const input = s.scaleModelInput(x, i);
    const output = toyDenoise(weights, input, h, w, s.timesteps[i], pooled, config.predictionType ?? 'epsilon').output;
    x = Float32Array.from(s.step(Float32Array.from(output), i, x).prevSample);
  }
  return decodeLatents({ session: sessions.vaeDecoder, ms: 0 }, signature.vaeDecoder, x, h, w, folder.vaeScalingFactor);
}

/** Mean absolute difference of two same-size byte buffers. */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`sizes differ: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** Largest absolute difference of two same-size byte buffers. */
export function maxAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
