/**
 * The VAE halves of a Stable Diffusion model. Decoding takes one variant at a time (diffusers does
 * the same to bound memory): latents / scaling_factor -> [1, 3, 8h, 8w] in [-1, 1] -> bytes.
 * Encoding returns scaled latents: latent_sample * scaling_factor, or for exports that return
 * latent_parameters (mean || logvar, REFERENCE §1) the mean * scaling_factor, which makes img2img
 * deterministic (diffusers samples mean + std * eps there; the mean is its expectation).
 */
import * as ort from 'onnxruntime-node';
import type { RgbImage } from '../core/image.js';
import type { VaeDecoderSignature, VaeEncoderSignature } from './model-signature.js';
import { planarToRgb } from './pixels.js';
import { floatTensor, readFloats } from './tensors.js';

export interface TimedSession {
  session: ort.InferenceSession;
  /** Accumulated time inside session.run (ms). */
  ms: number;
}

/** Decodes scaled latents [4 * h * w] of one image to RGB of 8w x 8h. */
export async function decodeLatents(
  vae: TimedSession,
  signature: VaeDecoderSignature,
  latents: Float32Array,
  h: number,
  w: number,
  scalingFactor: number,
): Promise<RgbImage> {
  const unscaled = new Float32Array(latents.length);
  for (let i = 0; i < latents.length; i++) unscaled[i] = latents[i] / scalingFactor;
  const start = performance.now();
  const out = await vae.session.run({ [signature.input]: floatTensor(signature.inputType, unscaled, [1, 4, h, w]) }, [signature.output]);
  vae.ms += performance.now() - start;
  const tensor = out[signature.output] as ort.Tensor;
  const [, channels, height, width] = tensor.dims;
  if (tensor.dims.length !== 4 || channels !== 3 || height !== h * 8 || width !== w * 8) {
    throw new Error(`The VAE decoder returned shape [${tensor.dims.join(', ')}], not [1, 3, ${h * 8}, ${w * 8}].`);
  }
  return planarToRgb(readFloats(tensor, 'decoded image'), width, height);
}

/** Encodes planar [3, H, W] pixels in [-1, 1] to scaled latents [4 * H/8 * W/8]. */
export async function encodePixels(
  vae: TimedSession,
  signature: VaeEncoderSignature,
  planar: Float32Array,
  width: number,
  height: number,
  scalingFactor: number,
): Promise<Float32Array> {
  const start = performance.now();
  const out = await vae.session.run({ [signature.input]: floatTensor(signature.inputType, planar, [1, 3, height, width]) }, [signature.output]);
  vae.ms += performance.now() - start;
  const tensor = out[signature.output] as ort.Tensor;
  const plane = (height / 8) * (width / 8);
  const wantChannels = signature.kind === 'latent_parameters' ? 8 : 4;
  if (tensor.dims.length !== 4 || tensor.dims[1] !== wantChannels || tensor.dims[2] * tensor.dims[3] !== plane) {
    throw new Error(`The VAE encoder returned shape [${tensor.dims.join(', ')}], not [1, ${wantChannels}, ${height / 8}, ${width / 8}].`);
  }
  const values = readFloats(tensor, signature.output);
  // The first 4 channels are the latent sample or, for latent_parameters, the mean (logvar follows).
  const latents = new Float32Array(4 * plane);
  for (let i = 0; i < latents.length; i++) latents[i] = values[i] * scalingFactor;
  return latents;
}
