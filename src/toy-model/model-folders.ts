/**
 * Writes complete diffusers-layout model folders for the toy variants: model_index.json, the four ONNX
 * files, tokenizer files, scheduler_config.json and the VAE config holding scaling_factor. Each variant
 * reproduces one export style seen in the wild (timestep dtype/rank, VAE encoder output, prediction type,
 * 9-channel inpainting, optimum's per-folder config.json), so the engine's detection code has real files
 * to detect. Everything written is a pure function of the variant and the tokenizer: no timestamps.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBenchUnet } from './bench-unet-graph.js';
import { buildToyTaesdDecoder } from './toy-taesd-graph.js';
import { buildToyTextEncoder, buildToyVaeDecoder, buildToyVaeEncoder } from './toy-text-vae-graphs.js';
import { tokenizerFiles, type ToyTokenizer } from './toy-tokenizer.js';
import { buildToyUnet, buildToyUnetExternal, type TimestepContract } from './toy-unet-graph.js';
import type { ToyPrediction } from './toy-reference.js';
import { genericTokenIds } from './generic-tokens.js';
import { BETA_END, BETA_START, LATENT_CHANNELS, SCALING_FACTOR, TOY_DIM, TRAIN_TIMESTEPS, toyWeights } from './toy-spec.js';

export interface ToyVariant {
  /** Folder name under the models root. */
  name: string;
  timestep: TimestepContract;
  prediction: ToyPrediction;
  scheduler: 'DDIMScheduler' | 'EulerDiscreteScheduler';
  timestepSpacing: 'leading' | 'trailing';
  inpaint: boolean;
  vaeEncoderOutput: 'latent_sample' | 'latent_parameters';
  /** optimum-style: config.json in every component folder, AddedToken objects in the tokenizer config. */
  optimumConfigs: boolean;
  /** Use the benchmark UNet (realistic op mix) instead of the bare toy UNet. */
  bench: boolean;
  /**
   * Keep the UNet's weights in this external data file next to unet/model.onnx (diffusers' converter
   * writes weights.pb, optimum model.onnx_data). Optional, so the other variants' stamps stay as they were.
   */
  unetExternalData?: string;
  /** Also write taesd_decoder/model.onnx, a tiny TAESD-style preview decoder (toy-taesd-graph.ts). */
  taesd?: boolean;
}

const base: Omit<ToyVariant, 'name'> = {
  timestep: 'float',
  prediction: 'epsilon',
  scheduler: 'DDIMScheduler',
  timestepSpacing: 'leading',
  inpaint: false,
  vaeEncoderOutput: 'latent_sample',
  optimumConfigs: false,
  bench: false,
};

/** Every folder `ensureToyModels` builds. */
export const TOY_VARIANTS: readonly ToyVariant[] = [
  { ...base, name: 'toy', taesd: true },
  { ...base, name: 'toy-int64', timestep: 'int64' },
  { ...base, name: 'toy-scalar', timestep: 'scalar', vaeEncoderOutput: 'latent_parameters', optimumConfigs: true },
  { ...base, name: 'toy-v', prediction: 'v_prediction', scheduler: 'EulerDiscreteScheduler', timestepSpacing: 'trailing' },
  { ...base, name: 'toy-inpaint', inpaint: true },
  { ...base, name: 'bench-unet', bench: true },
  { ...base, name: 'toy-external', unetExternalData: 'weights.pb' },
];

const DIFFUSERS_VERSION = '0.31.0';

/** Writes one variant's folder into `dir` (which must not hold an older build). Returns files written. */
export function writeModelFolder(dir: string, variant: ToyVariant, tokenizer: ToyTokenizer): string[] {
  const vocabSize = tokenizer.vocab.size;
  const weights = toyWeights(vocabSize, genericTokenIds(tokenizer.vocab));
  const unetOptions = { timestep: variant.timestep, prediction: variant.prediction, inpaint: variant.inpaint };
  const files: Record<string, string | Uint8Array> = {
    'model_index.json': json(modelIndex(variant)),
    'scheduler/scheduler_config.json': json(schedulerConfig(variant)),
    'text_encoder/model.onnx': buildToyTextEncoder(weights, vocabSize),
    'unet/model.onnx': variant.bench ? buildBenchUnet(weights) : buildToyUnet(weights, unetOptions),
    'vae_decoder/model.onnx': buildToyVaeDecoder(),
    'vae_encoder/model.onnx': buildToyVaeEncoder(variant.vaeEncoderOutput),
    'vae_decoder/config.json': json(vaeConfig()),
  };
  if (variant.taesd) files['taesd_decoder/model.onnx'] = buildToyTaesdDecoder();
  if (variant.unetExternalData) {
    // onnx's default size_threshold (1024 bytes): the projection and sigma table go out, scalars stay.
    const { model, data } = buildToyUnetExternal(weights, unetOptions, { location: variant.unetExternalData, threshold: 1024 });
    files['unet/model.onnx'] = model;
    files[`unet/${variant.unetExternalData}`] = data;
  }
  for (const [file, text] of Object.entries(tokenizerFiles(tokenizer, variant.optimumConfigs))) {
    files[`tokenizer/${file}`] = text;
  }
  if (variant.optimumConfigs) {
    files['vae_encoder/config.json'] = json(vaeConfig());
    files['unet/config.json'] = json({
      _class_name: 'UNet2DConditionModel', _diffusers_version: DIFFUSERS_VERSION,
      in_channels: variant.inpaint ? 9 : LATENT_CHANNELS, out_channels: LATENT_CHANNELS, sample_size: 64,
      cross_attention_dim: TOY_DIM,
    });
    files['text_encoder/config.json'] = json({
      architectures: ['CLIPTextModel'], model_type: 'clip_text_model', hidden_size: TOY_DIM,
      max_position_embeddings: 77, vocab_size: vocabSize, bos_token_id: tokenizer.bosId,
      eos_token_id: tokenizer.eosId, pad_token_id: tokenizer.eosId,
    });
  }
  for (const [file, content] of Object.entries(files)) {
    const path = join(dir, file);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
  }
  return Object.keys(files);
}

function modelIndex(variant: ToyVariant): object {
  const onnx = ['diffusers', 'OnnxRuntimeModel'];
  return {
    _class_name: variant.inpaint ? 'OnnxStableDiffusionInpaintPipeline' : 'OnnxStableDiffusionPipeline',
    _diffusers_version: DIFFUSERS_VERSION,
    feature_extractor: [null, null],
    requires_safety_checker: false,
    safety_checker: [null, null],
    scheduler: ['diffusers', variant.scheduler],
    text_encoder: onnx,
    tokenizer: ['transformers', 'CLIPTokenizer'],
    unet: onnx,
    vae_decoder: onnx,
    vae_encoder: onnx,
  };
}

function schedulerConfig(variant: ToyVariant): object {
  const common = {
    _class_name: variant.scheduler,
    _diffusers_version: DIFFUSERS_VERSION,
    beta_end: BETA_END,
    beta_schedule: 'scaled_linear',
    beta_start: BETA_START,
    num_train_timesteps: TRAIN_TIMESTEPS,
    prediction_type: variant.prediction,
    steps_offset: 1,
    timestep_spacing: variant.timestepSpacing,
    trained_betas: null,
  };
  return variant.scheduler === 'DDIMScheduler'
    ? { ...common, clip_sample: false, set_alpha_to_one: false }
    : { ...common, interpolation_type: 'linear', timestep_type: 'discrete', use_karras_sigmas: false };
}

function vaeConfig(): object {
  return {
    _class_name: 'AutoencoderKL', _diffusers_version: DIFFUSERS_VERSION, in_channels: 3, out_channels: 3,
    latent_channels: LATENT_CHANNELS, sample_size: 512, scaling_factor: SCALING_FACTOR,
  };
}

function json(value: object): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
