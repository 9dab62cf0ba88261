/**
 * Loads a model folder into everything a render needs, once per worker: the folder's files
 * (model-folder.ts), one session per component (model-sessions.ts), the variant signature read from
 * the sessions' metadata (model-signature.ts), the tokenizer, the scheduler config and the
 * empty-prompt encoding (which also reveals the text encoder's hidden size D). Any reason the
 * folder is unusable surfaces as one ModelFolderError sentence, and sessions created before the
 * failure are released.
 */
import type * as ort from 'onnxruntime-node';
import { schedulerConfigFromJson, type SchedulerConfigFromJson } from '../core/schedulers/config-json.js';
import { readModelFolder, type ModelFolder, type ModelFolderOptions } from './model-folder.js';
import { ModelFolderError } from './model-folder-error.js';
import { createModelSessions, releaseModelSessions, type ModelSessions, type SessionSettings } from './model-sessions.js';
import {
  checkHiddenSizes,
  textEncoderSignature,
  unetSignature,
  vaeDecoderSignature,
  vaeEncoderSignature,
  type ModelSignature,
} from './model-signature.js';
import { PromptEncoder } from './prompt-encoder.js';
import { readClipNormalisation, safetyCheckerSignature, type SafetyChecker } from './safety-checker.js';
import { previewDecoderSignature, type PreviewDecoder } from './taesd-preview.js';
import { ClipTokenizer } from '../tokenizer/clip-tokenizer.js';

export interface LoadedModel {
  folder: ModelFolder;
  sessions: ModelSessions;
  signature: ModelSignature;
  tokenizer: ClipTokenizer;
  prompts: PromptEncoder;
  /** The folder's scheduler: name, the keys its config sets, and notes about substitutions. */
  scheduler: SchedulerConfigFromJson;
  /** Timers for the VAE sessions (the text encoder's lives in `prompts`). */
  vaeEncoder?: { session: ort.InferenceSession; ms: number };
  vaeDecoder: { session: ort.InferenceSession; ms: number };
  /** TAESD-style step-preview decoder (taesd-preview.ts); without one, previews use the linear map. */
  previewDecoder?: PreviewDecoder;
  /** diffusers' safety checker (safety-checker.ts), when the folder has safety_checker/model.onnx. */
  safetyChecker?: SafetyChecker;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function readScheduler(folder: ModelFolder): SchedulerConfigFromJson {
  try {
    return schedulerConfigFromJson(folder.schedulerJson);
  } catch (error) {
    throw new ModelFolderError(folder.dir, `${folder.dir}/scheduler/scheduler_config.json cannot be used: ${message(error).replace(/^scheduler_config\.json /, '')}.`);
  }
}

async function readTokenizer(folder: ModelFolder): Promise<ClipTokenizer> {
  try {
    return await ClipTokenizer.fromFolder(folder.tokenizerDir);
  } catch (error) {
    throw new ModelFolderError(folder.dir, `${folder.dir}/tokenizer cannot be read: ${message(error)}.`);
  }
}

/**
 * Reads, checks and opens a model folder.
 * @example const model = await loadModel('models/toy', { executionProvider: 'cpu', threads: 2 });
 */
export async function loadModel(dir: string, settings: SessionSettings, options: ModelFolderOptions = {}): Promise<LoadedModel> {
  const folder = await readModelFolder(dir, options);
  const scheduler = readScheduler(folder);
  const tokenizer = await readTokenizer(folder);
  const sessions = await createModelSessions(folder, settings);
  try {
    const signature: ModelSignature = {
      textEncoder: textEncoderSignature(dir, sessions.textEncoder),
      unet: unetSignature(dir, sessions.unet),
      vaeDecoder: vaeDecoderSignature(dir, sessions.vaeDecoder),
      vaeEncoder: sessions.vaeEncoder ? vaeEncoderSignature(dir, sessions.vaeEncoder) : undefined,
    };
    checkHiddenSizes(dir, signature.textEncoder, signature.unet);
    if (signature.unet.channels === 9 && !signature.vaeEncoder) {
      throw new ModelFolderError(dir, `${dir} has a 9-channel inpainting UNet but no vae_encoder/model.onnx to encode the image it paints into.`);
    }
    const prompts = new PromptEncoder(sessions.textEncoder, signature.textEncoder, tokenizer);
    try {
      await prompts.emptyWindow();
    } catch (error) {
      throw new ModelFolderError(dir, `${dir}/text_encoder/model.onnx fails on the empty prompt: ${message(error).split('\n')[0]}.`);
    }
    const unetHidden = signature.unet.hiddenSize;
    if (unetHidden !== undefined && unetHidden !== prompts.hiddenSize) {
      throw new ModelFolderError(dir, `${dir} does not fit together: the text encoder gives hidden size ${prompts.hiddenSize} but the UNet wants ${unetHidden}.`);
    }
    prompts.runMs = 0;
    const preview = folder.components.previewDecoder;
    const previewDecoder = sessions.previewDecoder && preview
      ? { session: sessions.previewDecoder, ...previewDecoderSignature(dir, `${preview.component}/model.onnx`, sessions.previewDecoder), ms: 0, calls: 0 }
      : undefined;
    const safetyChecker = sessions.safetyChecker
      ? { session: sessions.safetyChecker, ...safetyCheckerSignature(dir, sessions.safetyChecker), ...(await readClipNormalisation(dir)), ms: 0 }
      : undefined;
    return {
      folder,
      sessions,
      signature,
      tokenizer,
      prompts,
      scheduler,
      vaeEncoder: sessions.vaeEncoder ? { session: sessions.vaeEncoder, ms: 0 } : undefined,
      vaeDecoder: { session: sessions.vaeDecoder, ms: 0 },
      previewDecoder,
      safetyChecker,
    };
  } catch (error) {
    await releaseModelSessions(sessions);
    throw error;
  }
}
