/**
 * The denoising loop: txt2img, img2img and inpainting for N variants at once, as diffusers'
 * StableDiffusion pipelines run them (REFERENCE §1, §3), in one explicit loop.
 *
 *  1. check the request (render-checks.ts), build the scheduler for `steps`;
 *  2. encode prompt and negative prompt once -> [uncond x N, cond x N] embeddings (CFG) or [cond x N];
 *  3. draw each variant's noise from SeededRandom(variantSeed(seed, i)) (or take the caller's latents);
 *  4. start: txt2img latents = noise * initNoiseSigma; img2img / inpaint with strength < 1: the
 *     encoded source noised to timesteps[start] (diffusers' strength rule);
 *  5. per step: scale_model_input, one UNet call on the whole batch (2N with CFG),
 *     eps = uncond + g (cond - uncond), scheduler.step; with a 4-channel UNet and a mask, the known
 *     region is reset to the source noised to the level after this step (REFERENCE §3);
 *  5f. txt2img with an online step budget: stop once every variant's x0 estimate has settled and
 *     finish at the schedule's end from there (early-stop-loop.ts);
 *  6. decode one variant at a time; with a mask, composite over the source so unmasked pixels keep
 *     their bytes.
 * The AbortSignal is checked before every UNet call, so a cancel stops within one step.
 */
import { createGray, type GrayImage, type RgbImage } from '../core/image.js';
import { SeededRandom, variantSeed } from '../core/random.js';
import { createScheduler } from '../core/schedulers/index.js';
import { BatchNoise } from './batch-noise.js';
import { EarlyStopLoop } from './early-stop-loop.js';
import { guidanceEmbedding } from './guidance-embedding.js';
import { blankMaskedPixels, compositeOverSource, featheredAlpha, latentMask } from './inpaint-mask.js';
import { latentPreview } from './latent-preview.js';
import { taesdPreview } from './taesd-preview.js';
import type { LoadedModel } from './model-loader.js';
import { rgbToPlanar } from './pixels.js';
import { planRender } from './render-checks.js';
import { RenderCancelled } from './render-cancelled.js';
import { RenderInputError } from './render-input-error.js';
import { emptyTimings, type RenderRequest, type RenderResult } from './render-types.js';
import { UnetRunner } from './unet-runner.js';
import { decodeLatents, encodePixels } from './vae.js';

/** `n` copies of one item laid end to end. */
function repeat(item: Float32Array, n: number): Float32Array {
  const out = new Float32Array(item.length * n);
  for (let i = 0; i < n; i++) out.set(item, i * item.length);
  return out;
}

/** A mask that repaints every pixel. */
function fullMask(width: number, height: number): GrayImage {
  const mask = createGray(width, height);
  mask.data.fill(255);
  return mask;
}

/** Renders `req` with a loaded model. Callers serialize renders per model (DiffusionEngine does). */
export async function renderWithModel(model: LoadedModel, req: RenderRequest): Promise<RenderResult> {
  const startedAt = performance.now();
  const plan = planRender(model, req);
  const { h, w, cfg } = plan;
  const n = req.variants;
  const plane = h * w;
  const item = 4 * plane;
  const unet = model.signature.unet;
  const warnings = [...model.scheduler.warnings, ...plan.warnings];
  const textMsBefore = model.prompts.runMs;
  const vaeDecoder = model.vaeDecoder;
  const vaeEncoder = model.vaeEncoder;
  const decoderMsBefore = vaeDecoder.ms;
  const encoderMsBefore = vaeEncoder?.ms ?? 0;
  const sf = model.folder.vaeScalingFactor;

  // 1. Scheduler.
  const scheduler = createScheduler(plan.scheduler, model.scheduler.config);
  scheduler.setTimesteps(req.steps);
  const timesteps = scheduler.timesteps;
  const total = timesteps.length;

  // 2. Text: one encoding per distinct prompt (cached), batched [uncond x N, cond x N].
  const positive = await model.prompts.encode(req.prompt);
  warnings.push(...positive.warnings);
  const negativeText = [req.negativePrompt?.trim(), positive.negative?.trim()].filter((s) => s).join(', ');
  const negative = cfg ? await model.prompts.encode(negativeText) : undefined;
  if (negative) warnings.push(...negative.warnings);
  const maxWindows = unet.fixedSequence ? Math.max(1, Math.floor(unet.fixedSequence / model.prompts.windowLength)) : Infinity;
  const { data: hidden, sequence, cut } = await model.prompts.batch(positive, negative, n, maxWindows);
  if (cut) warnings.push(`This UNet takes ${unet.fixedSequence} tokens; the prompt was cut to fit.`);

  // 3. Noise: variant i owns stream i (initial noise first, then any ancestral noise).
  const seeds = Array.from({ length: n }, (_, i) => variantSeed(req.seed, i));
  const streams = seeds.map((s) => new SeededRandom(s));
  const noise = req.latents ? Float32Array.from(req.latents) : new Float32Array(n * item);
  if (!req.latents) streams.forEach((stream, i) => stream.fill(noise.subarray(i * item, (i + 1) * item)));
  const stepNoise = new BatchNoise(streams);

  // 4. Source latents and the starting point.
  let source: Float32Array | undefined;
  if (req.init && vaeEncoder && model.signature.vaeEncoder) {
    const one = await encodePixels(vaeEncoder, model.signature.vaeEncoder, rgbToPlanar(req.init), req.width, req.height, sf);
    source = repeat(one, n);
  }
  let start = 0;
  let latents: Float32Array;
  const fromNoise = !source || plan.strength === undefined || (plan.inpaint && plan.strength >= 1);
  if (fromNoise) {
    latents = noise.map((v) => v * scheduler.initNoiseSigma);
  } else {
    try {
      start = scheduler.img2imgStart(plan.strength!);
    } catch (error) {
      throw new RenderInputError('strength', `${error instanceof Error ? error.message : String(error)}.`);
    }
    latents = scheduler.addNoise(source!, noise, timesteps[start]);
  }

  // Inpainting inputs: the latent mask (1 = repaint); 9-channel UNets also take masked-image latents.
  // Without a mask a 9-channel UNet repaints everything (mask of ones over a blank source).
  const mask = req.mask;
  const repaint = mask ?? (unet.channels === 9 ? fullMask(req.width, req.height) : undefined);
  const maskLatent = repaint ? latentMask(repaint, h, w) : undefined;
  let maskedLatents: Float32Array | undefined;
  if (unet.channels === 9 && repaint && vaeEncoder && model.signature.vaeEncoder) {
    const pixels = req.init ? rgbToPlanar(req.init) : new Float32Array(3 * req.width * req.height);
    maskedLatents = await encodePixels(vaeEncoder, model.signature.vaeEncoder, blankMaskedPixels(pixels, repaint), req.width, req.height, sf);
  }

  // 5. The loop.
  const copies = cfg ? 2 : 1;
  const runner = new UnetRunner(model.sessions.unet, unet, {
    batch: copies * n,
    h,
    w,
    hidden,
    sequence,
    hiddenSize: model.prompts.hiddenSize,
    timestepCond: unet.timestepCond ? guidanceEmbedding(req.guidance, unet.timestepCond.dim) : undefined,
  });
  const guided = cfg ? new Float32Array(n * item) : undefined;
  const known = source && mask && unet.channels === 4 ? new Float32Array(n * item) : undefined;
  const previewEvery = req.previewEvery ?? 0;
  const channels = unet.channels;
  const decodeAll = async (from: Float32Array): Promise<RgbImage[]> => {
    const out: RgbImage[] = [];
    for (let v = 0; v < n; v++) out.push(await decodeLatents(vaeDecoder, model.signature.vaeDecoder, from.subarray(v * item, (v + 1) * item), h, w, sf));
    return out;
  };
  const earlyStop = req.earlyStop && !source ? new EarlyStopLoop(req.earlyStop, scheduler, n, decodeAll) : undefined;
  let end = total;
  for (let i = start; i < total; i++) {
    if (req.signal?.aborted) throw new RenderCancelled(i - start);
    // 5a. scale_model_input on N latents, copied into every CFG half (and the 9-channel extras).
    const scaled = scheduler.scaleModelInput(latents, i);
    for (let c = 0; c < copies; c++) {
      for (let v = 0; v < n; v++) {
        const at = (c * n + v) * channels * plane;
        runner.input.set(scaled.subarray(v * item, (v + 1) * item), at);
        if (channels === 9) {
          runner.input.set(maskLatent!, at + item);
          runner.input.set(maskedLatents!, at + item + plane);
        }
      }
    }
    // 5b. One UNet call for the whole batch.
    const out = await runner.run(timesteps[i]);
    // 5c. Classifier-free guidance: eps = uncond + g (cond - uncond) (Ho & Salimans 2022, eq. 6).
    let prediction = out;
    if (guided) {
      const g = req.guidance;
      const half = n * item;
      for (let j = 0; j < half; j++) guided[j] = out[j] + g * (out[half + j] - out[j]);
      prediction = guided;
    }
    // 5d. Scheduler step.
    const sample = latents;
    const result = scheduler.step(prediction, i, latents, stepNoise);
    latents = result.prevSample;
    // 5e. 4-channel inpainting: keep the known region on the source's noise trajectory.
    if (known && maskLatent) {
      scheduler.noiseToStep(source!, noise, i, known);
      for (let v = 0; v < n; v++) {
        for (let c = 0; c < 4; c++) {
          const base = v * item + c * plane;
          for (let p = 0; p < plane; p++) {
            const m = maskLatent[p];
            latents[base + p] = m * latents[base + p] + (1 - m) * known[base + p];
          }
        }
      }
    }
    if (req.onStep) {
      const done = i - start + 1;
      const wantPreview = previewEvery > 0 && (done % previewEvery === 0 || i === total - 1);
      // TAESD when the folder has one (REFERENCE §10), else the linear latent -> RGB approximation.
      const x0 = result.predOriginalSample;
      const preview = !wantPreview ? undefined
        : model.previewDecoder ? await taesdPreview(model.previewDecoder, x0, n, h, w) : latentPreview(x0, n, h, w);
      req.onStep({ step: done, total: total - start, preview });
    }
    // 5f. Online step budget (txt2img): the x0 estimate has settled, so end the schedule here.
    const finished = await earlyStop?.after(i, i + 1, total, sample, result.predOriginalSample);
    if (finished) {
      latents = finished;
      end = i + 1;
      break;
    }
  }
  if (req.signal?.aborted) throw new RenderCancelled(end - start);

  // 6. Decode one variant at a time; composite inpaints over the source.
  const alpha = mask ? featheredAlpha(mask) : undefined;
  const images = (await decodeAll(latents)).map((decoded) => (alpha && req.init ? compositeOverSource(decoded, req.init, alpha) : decoded));

  const timings = emptyTimings();
  timings.textEncoderMs = model.prompts.runMs - textMsBefore;
  timings.unetMs = runner.ms;
  timings.unetCalls = runner.calls;
  timings.vaeEncoderMs = (vaeEncoder?.ms ?? 0) - encoderMsBefore;
  timings.vaeDecoderMs = vaeDecoder.ms - decoderMsBefore;
  const modelMs = timings.textEncoderMs + timings.unetMs + timings.vaeEncoderMs + timings.vaeDecoderMs;
  const stopped = end < total ? { scheduledSteps: total - start } : {};
  return { images, seeds, steps: end - start, ...stopped, modelMs, totalMs: performance.now() - startedAt, warnings, timings };
}
