/**
 * Works out which of the Stable Diffusion ONNX variants in the wild (REFERENCE §1) a set of sessions
 * is, from nothing but their input and output metadata: timestep int64 / float32 / float16 / rank-0,
 * fp16 tensors, 4- or 9-channel UNets, LCM's timestep_cond, VAE encoders that return latent_sample or
 * latent_parameters. Nothing is assumed from the folder name; a session that lacks a required input
 * becomes one ModelFolderError sentence ("text_encoder/model.onnx has no input_ids input").
 */
import { ModelFolderError } from './model-folder-error.js';

/** Element types the engine can feed for float inputs. */
export type FloatKind = 'float32' | 'float16';

/** The slice of onnxruntime's ValueMetadata this module reads (so it can be tested on plain objects). */
export interface ValueInfo {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: ReadonlyArray<number | string>;
}

/** The slice of an InferenceSession this module reads. */
export interface SessionInfo {
  inputMetadata: readonly ValueInfo[];
  outputMetadata: readonly ValueInfo[];
}

export interface TextEncoderSignature {
  idsInput: string;
  idsType: 'int32' | 'int64';
  /** Present on some exports; fed with ones. */
  attentionMaskInput?: { name: string; type: 'int32' | 'int64' };
  /** last_hidden_state (or the first rank-3 output). */
  hiddenOutput: string;
  /** Hidden size D when the metadata states it. */
  hiddenSize?: number;
}

export interface UnetSignature {
  sampleInput: string;
  sampleType: FloatKind;
  /** 4 for ordinary UNets, 9 for inpainting UNets (latents + mask + masked-image latents). */
  channels: 4 | 9;
  timestepInput: string;
  timestepType: 'float32' | 'float16' | 'int64' | 'int32';
  /** optimum since Nov 2024 exports a rank-0 timestep; others take [B]. */
  timestepRank0: boolean;
  hiddenInput: string;
  hiddenType: FloatKind;
  hiddenSize?: number;
  /** LCM guidance embedding input [B, dim]. */
  timestepCond?: { name: string; type: FloatKind; dim: number };
  output: string;
  /** A batch dimension fixed in the export (then the engine splits UNet calls). */
  fixedBatch?: number;
  /** A sequence length fixed in the export (e.g. 77): long prompts are then cut to that many tokens. */
  fixedSequence?: number;
}

export interface VaeDecoderSignature {
  input: string;
  inputType: FloatKind;
  output: string;
}

export interface VaeEncoderSignature {
  input: string;
  inputType: FloatKind;
  output: string;
  /** latent_sample is already sampled; latent_parameters is mean || logvar over 8 channels. */
  kind: 'latent_sample' | 'latent_parameters';
}

export interface ModelSignature {
  textEncoder: TextEncoderSignature;
  unet: UnetSignature;
  vaeDecoder: VaeDecoderSignature;
  vaeEncoder?: VaeEncoderSignature;
}

function input(session: SessionInfo, name: string): ValueInfo | undefined {
  return session.inputMetadata.find((m) => m.name === name && m.isTensor);
}

function output(session: SessionInfo, name: string): ValueInfo | undefined {
  return session.outputMetadata.find((m) => m.name === name && m.isTensor);
}

function dim(info: ValueInfo | undefined, axis: number): number | undefined {
  const d = info?.shape?.[axis];
  return typeof d === 'number' && d > 0 ? d : undefined;
}

/** Shared check: a float input must be float32 or float16, else one sentence. */
function floatKind(dir: string, file: string, info: ValueInfo): FloatKind {
  if (info.type === 'float32' || info.type === 'float16') return info.type;
  throw new ModelFolderError(dir, `${file} input ${info.name} has type ${info.type}, but Taleframe feeds float32 or float16.`);
}

function missing(dir: string, file: string, what: string): never {
  throw new ModelFolderError(dir, `${dir}/${file} has no ${what}.`);
}

export function textEncoderSignature(dir: string, session: SessionInfo): TextEncoderSignature {
  const file = 'text_encoder/model.onnx';
  const ids = input(session, 'input_ids') ?? missing(dir, file, 'input_ids input');
  if (ids.type !== 'int32' && ids.type !== 'int64') {
    throw new ModelFolderError(dir, `${dir}/${file} input input_ids has type ${ids.type}, not int32 or int64.`);
  }
  const mask = input(session, 'attention_mask');
  const hidden =
    output(session, 'last_hidden_state') ??
    session.outputMetadata.find((m) => m.isTensor && m.shape?.length === 3) ??
    missing(dir, file, 'last_hidden_state output');
  for (const other of session.inputMetadata) {
    if (other.name !== 'input_ids' && other.name !== 'attention_mask') {
      throw new ModelFolderError(dir, `${dir}/${file} wants an input ${other.name} that a CLIP text encoder does not have.`);
    }
  }
  return {
    idsInput: ids.name,
    idsType: ids.type,
    attentionMaskInput: mask ? { name: mask.name, type: mask.type === 'int64' ? 'int64' : 'int32' } : undefined,
    hiddenOutput: hidden.name,
    hiddenSize: dim(hidden, 2),
  };
}

export function unetSignature(dir: string, session: SessionInfo): UnetSignature {
  const file = 'unet/model.onnx';
  if (input(session, 'text_embeds') || input(session, 'time_ids')) {
    throw new ModelFolderError(dir, `${dir} is an SDXL model (its UNet wants text_embeds and time_ids), which Taleframe does not run yet.`);
  }
  const sample = input(session, 'sample') ?? missing(dir, file, 'sample input');
  const timestep = input(session, 'timestep') ?? missing(dir, file, 'timestep input');
  const hidden = input(session, 'encoder_hidden_states') ?? missing(dir, file, 'encoder_hidden_states input');
  const cond = input(session, 'timestep_cond');
  const known = new Set(['sample', 'timestep', 'encoder_hidden_states', 'timestep_cond']);
  for (const other of session.inputMetadata) {
    if (!known.has(other.name)) throw new ModelFolderError(dir, `${dir}/${file} wants an input ${other.name} that Taleframe does not know how to feed.`);
  }
  const channels = dim(sample, 1) ?? 4;
  if (channels !== 4 && channels !== 9) {
    throw new ModelFolderError(dir, `${dir}/${file} takes ${channels} sample channels; Taleframe runs 4-channel and 9-channel (inpainting) UNets.`);
  }
  const timestepType = timestep.type;
  if (timestepType !== 'float32' && timestepType !== 'float16' && timestepType !== 'int64' && timestepType !== 'int32') {
    throw new ModelFolderError(dir, `${dir}/${file} input timestep has type ${timestepType}, not int64, int32, float32 or float16.`);
  }
  const out = output(session, 'out_sample') ?? session.outputMetadata.find((m) => m.isTensor) ?? missing(dir, file, 'output');
  return {
    sampleInput: sample.name,
    sampleType: floatKind(dir, file, sample),
    channels,
    timestepInput: timestep.name,
    timestepType,
    timestepRank0: (timestep.shape?.length ?? 1) === 0,
    hiddenInput: hidden.name,
    hiddenType: floatKind(dir, file, hidden),
    hiddenSize: dim(hidden, 2),
    timestepCond: cond ? { name: cond.name, type: floatKind(dir, file, cond), dim: dim(cond, 1) ?? 256 } : undefined,
    output: out.name,
    fixedBatch: dim(sample, 0),
    fixedSequence: dim(hidden, 1),
  };
}

export function vaeDecoderSignature(dir: string, session: SessionInfo): VaeDecoderSignature {
  const file = 'vae_decoder/model.onnx';
  const latent = input(session, 'latent_sample') ?? missing(dir, file, 'latent_sample input');
  const out = output(session, 'sample') ?? session.outputMetadata.find((m) => m.isTensor) ?? missing(dir, file, 'output');
  return { input: latent.name, inputType: floatKind(dir, file, latent), output: out.name };
}

export function vaeEncoderSignature(dir: string, session: SessionInfo): VaeEncoderSignature {
  const file = 'vae_encoder/model.onnx';
  const sample = input(session, 'sample') ?? missing(dir, file, 'sample input');
  const base = { input: sample.name, inputType: floatKind(dir, file, sample) };
  if (output(session, 'latent_sample')) return { ...base, output: 'latent_sample', kind: 'latent_sample' };
  if (output(session, 'latent_parameters')) return { ...base, output: 'latent_parameters', kind: 'latent_parameters' };
  // Unnamed exports: 8 output channels can only be mean || logvar.
  const first = session.outputMetadata.find((m) => m.isTensor) ?? missing(dir, file, 'latent_sample or latent_parameters output');
  return { ...base, output: first.name, kind: dim(first, 1) === 8 ? 'latent_parameters' : 'latent_sample' };
}

/** Checks that the text encoder and UNet agree on the hidden size when both state it. */
export function checkHiddenSizes(dir: string, text: TextEncoderSignature, unet: UnetSignature): void {
  if (text.hiddenSize && unet.hiddenSize && text.hiddenSize !== unet.hiddenSize) {
    throw new ModelFolderError(
      dir,
      `${dir} does not fit together: the text encoder gives hidden size ${text.hiddenSize} but the UNet wants ${unet.hiddenSize}.`,
    );
  }
}
