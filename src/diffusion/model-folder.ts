/**
 * Reads a diffusers / optimum ONNX model folder from disk (REFERENCE §1) without creating any
 * session: which component files exist, the scheduler config, the VAE scaling factor and where the
 * tokenizer lives. Everything a folder lacks is reported as one ModelFolderError sentence naming the
 * folder and the missing piece, so a user who points Taleframe at the wrong directory learns why at once;
 * that includes external weight files (unet/weights.pb, model.onnx_data) a model.onnx refers to.
 */
import { access, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readExternalDataRefs } from '../onnx/external-data-refs.js';
import { ModelFolderError } from './model-folder-error.js';

/** The default VAE scaling factor of SD 1.x / 2.x when no VAE config says otherwise. */
export const DEFAULT_VAE_SCALING_FACTOR = 0.18215;

export type ComponentName = 'text_encoder' | 'unet' | 'vae_decoder' | 'vae_encoder';

/** A file on disk with the identity the optimized-model cache keys on. */
export interface FileIdentity {
  path: string;
  /** Size and mtime, used to key the optimized-model cache. */
  bytes: number;
  mtimeMs: number;
}

/** One component's ONNX file and whether its weights live in an external data file. */
export interface ComponentFile extends FileIdentity {
  /** The component's folder name (a ComponentName, or the preview decoder's folder). */
  component: string;
  /** The first external data file model.onnx refers to: weights.pb (diffusers) or model.onnx_data (optimum). */
  externalData?: string;
  /** Every external data file model.onnx refers to (checked to exist and to be long enough). */
  externalFiles: FileIdentity[];
}

export interface ModelFolder {
  /** The folder as the caller named it (used in messages). */
  dir: string;
  modelIndex: Record<string, unknown>;
  components: {
    textEncoder: ComponentFile;
    unet: ComponentFile;
    vaeDecoder: ComponentFile;
    vaeEncoder?: ComponentFile;
    /** A TAESD-style preview decoder (taesd_decoder/model.onnx, or the folder the caller named). */
    previewDecoder?: ComponentFile;
    /** diffusers' safety checker (safety_checker/model.onnx), run on every finished picture when present. */
    safetyChecker?: ComponentFile;
  };
  tokenizerDir: string;
  /** Parsed scheduler/scheduler_config.json (diffusers snake_case). */
  schedulerJson: Record<string, unknown>;
  /** vae config `scaling_factor`, else 0.18215. */
  vaeScalingFactor: number;
  /**
   * The side in pixels the UNet was trained at: unet/config.json `sample_size` x 8 (SD1.5 512, SD2 768,
   * the storybook model 128). Undefined when the folder has no unet config (diffusers' converter).
   */
  nativeSize?: number;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function readJson(dir: string, relative: string): Promise<Record<string, unknown>> {
  const path = join(dir, relative);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ModelFolderError(dir, `${dir} has no ${relative}.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ModelFolderError(dir, `${join(dir, relative)} is not valid JSON.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ModelFolderError(dir, `${join(dir, relative)} does not hold a JSON object.`);
  }
  return value as Record<string, unknown>;
}

/**
 * The external data files `path` refers to (read from its initializers, not guessed from names), each
 * checked before onnxruntime sees it: a missing or truncated weights.pb otherwise surfaces as a cryptic
 * "GetFileLength ... open file ... fail" deep inside session creation.
 */
async function externalFiles(dir: string, component: string, path: string): Promise<FileIdentity[]> {
  let refs;
  try {
    refs = await readExternalDataRefs(path);
  } catch {
    return []; // not a well-formed protobuf: onnxruntime's own message says so when the session is made
  }
  const needed = new Map<string, number>();
  for (const ref of refs) {
    const end = ref.length === undefined ? ref.offset : ref.offset + ref.length;
    needed.set(ref.location, Math.max(needed.get(ref.location) ?? 0, end));
  }
  const files: FileIdentity[] = [];
  for (const [location, end] of needed) {
    const file = join(dir, component, location);
    let info;
    try {
      info = await stat(file);
    } catch {
      throw new ModelFolderError(dir, `${path} keeps its weights in ${location}, but ${file} is missing.`);
    }
    if (!info.isFile() || info.size < end) {
      throw new ModelFolderError(dir, `${file} is ${info.size} bytes but ${path} reads up to byte ${end} of it (an unfinished download?).`);
    }
    files.push({ path: file, bytes: info.size, mtimeMs: info.mtimeMs });
  }
  return files;
}

async function findComponent(dir: string, component: string): Promise<ComponentFile | undefined> {
  const path = join(dir, component, 'model.onnx');
  let info;
  try {
    info = await stat(path);
  } catch {
    return undefined;
  }
  if (!info.isFile()) return undefined;
  const external = await externalFiles(dir, component, path);
  return { component, path, externalData: external[0]?.path, externalFiles: external, bytes: info.size, mtimeMs: info.mtimeMs };
}

async function required(dir: string, component: ComponentName): Promise<ComponentFile> {
  const found = await findComponent(dir, component);
  if (!found) throw new ModelFolderError(dir, `${dir} has no ${component}/model.onnx.`);
  return found;
}

/** The VAE scaling factor from the first VAE config that states one (optimum writes them). */
async function readScalingFactor(dir: string): Promise<number> {
  for (const relative of ['vae_decoder/config.json', 'vae_encoder/config.json', 'vae/config.json']) {
    if (!(await exists(join(dir, relative)))) continue;
    const config = await readJson(dir, relative);
    const factor = config.scaling_factor;
    if (factor === undefined) continue;
    if (typeof factor !== 'number' || !(factor > 0)) {
      throw new ModelFolderError(dir, `${join(dir, relative)} has scaling_factor ${JSON.stringify(factor)}, which is not a positive number.`);
    }
    return factor;
  }
  return DEFAULT_VAE_SCALING_FACTOR;
}

/** unet/config.json `sample_size` (latent side) x 8, when the folder states it. */
async function readNativeSize(dir: string): Promise<number | undefined> {
  if (!(await exists(join(dir, 'unet/config.json')))) return undefined;
  const sampleSize = (await readJson(dir, 'unet/config.json')).sample_size;
  if (sampleSize === undefined) return undefined;
  if (typeof sampleSize !== 'number' || !Number.isInteger(sampleSize) || sampleSize < 1) {
    throw new ModelFolderError(dir, `${join(dir, 'unet/config.json')} has sample_size ${JSON.stringify(sampleSize)}, which is not a positive whole number.`);
  }
  return sampleSize * 8;
}

/** Where previews are decoded from when the folder has it and the caller names no other folder. */
export const DEFAULT_PREVIEW_DECODER = 'taesd_decoder';

export interface ModelFolderOptions {
  /** Folder (inside the model folder) of a TAESD-style preview decoder; it must then exist. */
  previewDecoder?: string;
}

/** The preview decoder: the named folder (required) or taesd_decoder when present. */
async function findPreviewDecoder(dir: string, named: string | undefined): Promise<ComponentFile | undefined> {
  if (named === undefined) return findComponent(dir, DEFAULT_PREVIEW_DECODER);
  if (!/^[\w.-]+$/.test(named) || named === '.' || named === '..') {
    throw new ModelFolderError(dir, `The preview decoder folder "${named}" must be one folder name inside ${dir}.`);
  }
  const found = await findComponent(dir, named);
  if (!found) throw new ModelFolderError(dir, `${dir} has no ${named}/model.onnx for previews.`);
  return found;
}

/**
 * Reads what a model folder holds. Throws ModelFolderError with one sentence when the folder or one
 * of its required files is missing or unreadable.
 *
 * @example const folder = await readModelFolder('models/toy'); folder.components.unet.path
 */
export async function readModelFolder(dir: string, options: ModelFolderOptions = {}): Promise<ModelFolder> {
  let info;
  try {
    info = await stat(dir);
  } catch {
    throw new ModelFolderError(dir, `${dir} does not exist.`);
  }
  if (!info.isDirectory()) throw new ModelFolderError(dir, `${dir} is not a folder.`);
  if (!(await exists(join(dir, 'model_index.json')))) {
    throw new ModelFolderError(dir, `${dir} has no model_index.json, so it is not a diffusers or optimum ONNX model folder.`);
  }
  const modelIndex = await readJson(dir, 'model_index.json');
  const textEncoder = await required(dir, 'text_encoder');
  const unet = await required(dir, 'unet');
  const vaeDecoder = await required(dir, 'vae_decoder');
  const vaeEncoder = await findComponent(dir, 'vae_encoder');
  const previewDecoder = await findPreviewDecoder(dir, options.previewDecoder);
  const safetyChecker = await findComponent(dir, 'safety_checker');
  const tokenizerDir = join(dir, 'tokenizer');
  for (const file of ['vocab.json', 'merges.txt']) {
    if (!(await exists(join(tokenizerDir, file)))) throw new ModelFolderError(dir, `${dir} has no tokenizer/${file}.`);
  }
  const schedulerJson = await readJson(dir, 'scheduler/scheduler_config.json');
  const vaeScalingFactor = await readScalingFactor(dir);
  const nativeSize = await readNativeSize(dir);
  return {
    dir,
    modelIndex,
    components: { textEncoder, unet, vaeDecoder, vaeEncoder, previewDecoder, safetyChecker },
    tokenizerDir,
    schedulerJson,
    vaeScalingFactor,
    nativeSize,
  };
}
