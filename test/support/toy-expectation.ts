/**
 * What a render on the toy model should look like, from the toy's closed form: its data for a
 * prompt is N(mu, C) in latent space, C diagonal in the DCT basis (s_lo-scaled eigenvalues lambda_k on
 * the low band, s_hi^2 above), and a deterministic sampler run to the end maps starting noise z to about
 * mu + C^(1/2) z (the probability-flow ODE of a Gaussian keeps z in each eigen-coordinate; from a finite
 * start sigma_T the factor is sqrt(lambda (1 + sigma_T^2) / (lambda + sigma_T^2)), see below). The
 * expected latents go through the model's own VAE decoder session, so the comparison isolates the loop.
 */
import type { RgbImage } from '../../src/core/image.js';
import type { DiffusionEngine } from '../../src/diffusion/engine.js';
import { decodeLatents } from '../../src/diffusion/vae.js';
import { createScheduler, type SchedulerName } from '../../src/core/schedulers/index.js';
import { lowBandVariances, pooledDirection, scaleLowBand, toyDenoise, toyMean, toySpreads } from '../../src/toy-model/toy-reference.js';
import { toyWeights } from '../../src/toy-model/toy-spec.js';

/**
 * Decoded image of mu + spreadScale * C^(1/2) z for `prompt` at latent size h x w: the probability-flow
 * ODE's endpoint when the start is pure noise. With `sigmaStart` (the sampler's first sigma) the start
 * x_T = z (VP) is sqrt(1 + sigma_T^2) z in VE terms, and each DCT eigen-coordinate follows
 * x(sigma) - mu = sqrt((lambda + sigma^2) / (lambda + sigma_T^2)) (x_T - mu) exactly, so the endpoint is
 * mu + f (sqrt(1 + sigma_T^2) z - mu), f = sqrt(lambda / (lambda + sigma_T^2)): the low band's eigenvalues
 * grow with the latent size and are not small next to sigma_T^2, so this matters (also for mu).
 */
export async function toyExpectedImage(
  engine: DiffusionEngine, prompt: string, z: Float32Array, h: number, w: number, spreadScale = 1, sigmaStart = Infinity,
): Promise<RgbImage> {
  const { tokenizer, prompts, sessions, signature, folder } = engine.model;
  const weights = toyWeights(Math.max(tokenizer.bosId, tokenizer.eosId) + 1);
  const hidden = (await prompts.encode(prompt)).windows[0];
  const pooled = pooledDirection(hidden, prompts.windowLength);
  const mu = toyMean(weights, pooled, h, w);
  const { lo, hi } = toySpreads(weights, pooled);
  const finite = Number.isFinite(sigmaStart);
  const factor = (lambda: number) => spreadScale * (finite ? Math.sqrt(lambda / (lambda + sigmaStart ** 2)) : Math.sqrt(lambda));
  const fHi = factor(hi * hi);
  const diff = lowBandVariances(lo, h, w).map((lambda) => factor(lambda) - fHi);
  const plane = h * w;
  const x0 = new Float32Array(mu.length);
  for (let c = 0; c < 4; c++) {
    const d = Float64Array.from({ length: plane }, (_, p) => (finite ? Math.sqrt(1 + sigmaStart ** 2) * z[c * plane + p] - mu[c * plane + p] : z[c * plane + p]));
    const low = scaleLowBand(d, h, w, diff);
    for (let p = 0; p < plane; p++) x0[c * plane + p] = mu[c * plane + p] + fHi * d[p] + low[p];
  }
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
