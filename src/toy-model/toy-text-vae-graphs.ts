/**
 * ONNX graphs of the toy text encoder and VAE. The text encoder is one Gather from a seeded embedding
 * table (BOS/EOS/pad rows are zero, so padding adds nothing) with pooler_output = mean over the
 * sequence. The VAE is linear: the decoder maps latents to RGB with LATENT_TO_RGB * SCALING_FACTOR
 * (so decode(x0 / SCALING_FACTOR) = LATENT_TO_RGB x0) and upsamples x8 bilinearly; the encoder takes
 * 8x8 means and applies the pseudo-inverse divided by SCALING_FACTOR, the exact inverse on RGB.
 */
import { OnnxGraphBuilder } from '../onnx/index.js';
import { LATENT_CHANNELS, LATENT_TO_RGB, rgbToLatent, SCALING_FACTOR, TOY_DIM, type ToyWeights } from './toy-spec.js';

/** input_ids int32 [B,S] -> last_hidden_state [B,S,D], pooler_output [B,D]. */
export function buildToyTextEncoder(weights: ToyWeights, vocabSize: number): Uint8Array {
  const g = new OnnxGraphBuilder('toy_text_encoder');
  const ids = g.input('input_ids', 'int32', ['batch', 'sequence']);
  const table = g.initializer('token_embedding', weights.embedding, [vocabSize, TOY_DIM]);
  const hidden = g.op('Gather', [table, ids], { axis: 0 });
  g.output(hidden, 'last_hidden_state', 'float', ['batch', 'sequence', TOY_DIM]);
  g.output(g.op('ReduceMean', [hidden], { axes: [1], keepdims: 0 }), 'pooler_output', 'float', ['batch', TOY_DIM]);
  return g.serialize({ docString: 'Taleframe toy text encoder: seeded embedding lookup' });
}

/** latent_sample [B,4,h,w] -> sample [B,3,8h,8w]. */
export function buildToyVaeDecoder(): Uint8Array {
  const g = new OnnxGraphBuilder('toy_vae_decoder');
  const z = g.input('latent_sample', 'float', ['batch', LATENT_CHANNELS, 'latent_height', 'latent_width']);
  const w = Float32Array.from(LATENT_TO_RGB.flat().map((v) => v * SCALING_FACTOR));
  const rgb = g.op('Conv', [z, g.initializer('latent_to_rgb', w, [3, LATENT_CHANNELS, 1, 1])]);
  const up = g.op('Resize', [rgb, '', g.constFloat([1, 1, 8, 8])], {
    mode: 'linear',
    coordinate_transformation_mode: 'half_pixel',
  });
  g.output(up, 'sample', 'float', ['batch', 3, 'height', 'width']);
  return g.serialize({ docString: 'Taleframe toy VAE decoder: linear latent->RGB, bilinear x8' });
}

/**
 * sample [B,3,H,W] -> latent_sample [B,4,H/8,W/8], or latent_parameters [B,8,H/8,W/8] = mean || logvar
 * (logvar constant LOGVAR, a tiny std) as optimum's newer exports write.
 */
export function buildToyVaeEncoder(output: 'latent_sample' | 'latent_parameters'): Uint8Array {
  const g = new OnnxGraphBuilder('toy_vae_encoder');
  const x = g.input('sample', 'float', ['batch', 3, 'height', 'width']);
  const pooled = g.op('AveragePool', [x], { kernel_shape: [8, 8], strides: [8, 8] });
  const pinv = rgbToLatent().flat().map((v) => v / SCALING_FACTOR);
  const outChannels = output === 'latent_sample' ? LATENT_CHANNELS : 2 * LATENT_CHANNELS;
  const weight = new Float32Array(outChannels * 3);
  weight.set(pinv);
  const bias = new Float32Array(outChannels);
  bias.fill(LOGVAR, LATENT_CHANNELS);
  const latent = g.op('Conv', [
    pooled,
    g.initializer('rgb_to_latent', weight, [outChannels, 3, 1, 1]),
    g.initializer('rgb_to_latent_bias', bias, [outChannels]),
  ]);
  g.output(latent, output, 'float', ['batch', outChannels, 'latent_height', 'latent_width']);
  return g.serialize({ docString: `Taleframe toy VAE encoder: 8x8 mean, pseudo-inverse colour map (${output})` });
}

/** logvar written by the latent_parameters encoder: std = exp(LOGVAR / 2) = 0.01. */
export const LOGVAR = 2 * Math.log(0.01);
