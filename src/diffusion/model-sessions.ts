/**
 * Creates the onnxruntime-node sessions of a model folder, once per worker: graph optimisation 'all',
 * the configured thread count and execution provider, and an optimized-model cache under
 * ORT_CACHE_DIR so a worker restart skips the optimisation pass (REFERENCE §9). Weights in external
 * data files (weights.pb, model.onnx_data) load because sessions are created from the file path, and
 * onnxruntime resolves external data relative to it. A file onnxruntime cannot read becomes one
 * ModelFolderError sentence.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Config } from '../config.js';
import type { ComponentFile, ModelFolder } from './model-folder.js';
import { ModelFolderError } from './model-folder-error.js';

/** How the engine runs its sessions. */
export interface SessionSettings {
  executionProvider: 'cpu' | 'cuda';
  /** intraOpNumThreads; 0 lets onnxruntime choose. */
  threads: number;
  /** Folder for optimized models; undefined = no cache. */
  cacheDir?: string;
}

/** The session settings a Config asks for. */
export function sessionSettingsFromConfig(config: Pick<Config, 'ORT_EXECUTION_PROVIDER' | 'ORT_THREADS' | 'ORT_CACHE_DIR'>): SessionSettings {
  return { executionProvider: config.ORT_EXECUTION_PROVIDER, threads: config.ORT_THREADS, cacheDir: config.ORT_CACHE_DIR };
}

export interface ModelSessions {
  textEncoder: ort.InferenceSession;
  unet: ort.InferenceSession;
  vaeDecoder: ort.InferenceSession;
  vaeEncoder?: ort.InferenceSession;
  /** TAESD-style preview decoder, when the folder has one. */
  previewDecoder?: ort.InferenceSession;
  /** diffusers' safety checker, when the folder has one. */
  safetyChecker?: ort.InferenceSession;
}

function baseOptions(settings: SessionSettings): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [settings.executionProvider],
    graphOptimizationLevel: 'all',
    ...(settings.threads > 0 ? { intraOpNumThreads: settings.threads } : {}),
    enableCpuMemArena: true,
    logSeverityLevel: 3,
  };
}

/**
 * Cache key: the identity (path, size, mtime) of model.onnx and of each external weights file (new
 * weights under an unchanged model.onnx must not reuse the old optimised copy), plus everything that
 * changes the optimised graph.
 */
function cacheKey(file: ComponentFile, settings: SessionSettings): string {
  const files = [file, ...file.externalFiles].flatMap((f) => [f.path, f.bytes, f.mtimeMs]);
  const identity = [...files, settings.executionProvider, settings.threads, ort.env.versions?.common ?? ''];
  return createHash('sha256').update(identity.join('\n')).digest('hex').slice(0, 16);
}

async function fileExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function unreadable(dir: string, file: ComponentFile, error: unknown): ModelFolderError {
  const reason = (error instanceof Error ? error.message : String(error))
    .split('\n')[0]
    .replace(/^Load model from .* failed:\s*/, '') // the path is already in our sentence
    .replace(/\.$/, '')
    .slice(0, 200);
  return new ModelFolderError(dir, `${file.path} could not be loaded as an ONNX model (onnxruntime says: ${reason}).`);
}

/**
 * One session for one component. With a cache folder, the first load writes the optimised graph
 * (to a temporary name, renamed when complete so a crash never leaves half a file) and later loads
 * read it back with optimisation off, since it is already optimised for this provider.
 */
export async function createComponentSession(dir: string, file: ComponentFile, settings: SessionSettings): Promise<ort.InferenceSession> {
  const options = baseOptions(settings);
  if (!settings.cacheDir) {
    try {
      return await ort.InferenceSession.create(file.path, options);
    } catch (error) {
      throw unreadable(dir, file, error);
    }
  }
  const key = cacheKey(file, settings);
  const cached = join(settings.cacheDir, `${file.component}-${key}.onnx`);
  if (await fileExists(cached)) {
    try {
      return await ort.InferenceSession.create(cached, { ...options, graphOptimizationLevel: 'disabled' });
    } catch {
      await rm(cached, { force: true }); // a stale or damaged cache entry: rebuild it below
    }
  }
  await mkdir(settings.cacheDir, { recursive: true });
  const partial = `${cached}.${process.pid}.partial`;
  // Big models must keep their weights outside the 2 GB protobuf limit in the optimised copy too.
  const extra = file.externalData
    ? { session: { optimized_model_external_initializers_file_name: `${file.component}-${key}.data`, optimized_model_external_initializers_min_size_in_bytes: '1024' } }
    : undefined;
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file.path, { ...options, optimizedModelFilePath: partial, ...(extra ? { extra } : {}) });
  } catch (error) {
    await rm(partial, { force: true });
    throw unreadable(dir, file, error);
  }
  await rename(partial, cached).catch(() => rm(partial, { force: true }));
  return session;
}

/** Creates every session of a folder (the VAE encoder, preview decoder and safety checker only when the folder has them). */
export async function createModelSessions(folder: ModelFolder, settings: SessionSettings): Promise<ModelSessions> {
  const { components } = folder;
  const created: ort.InferenceSession[] = [];
  const open = async (file: ComponentFile) => {
    const session = await createComponentSession(folder.dir, file, settings);
    created.push(session);
    return session;
  };
  try {
    // Sequential on purpose: parallel creation would only contend for the same cores and memory.
    const textEncoder = await open(components.textEncoder);
    const unet = await open(components.unet);
    const vaeDecoder = await open(components.vaeDecoder);
    const vaeEncoder = components.vaeEncoder ? await open(components.vaeEncoder) : undefined;
    const previewDecoder = components.previewDecoder ? await open(components.previewDecoder) : undefined;
    const safetyChecker = components.safetyChecker ? await open(components.safetyChecker) : undefined;
    return { textEncoder, unet, vaeDecoder, vaeEncoder, previewDecoder, safetyChecker };
  } catch (error) {
    for (const session of created) await session.release();
    throw error;
  }
}

/** Releases every session (a worker switching models, or a test cleaning up). */
export async function releaseModelSessions(sessions: ModelSessions): Promise<void> {
  for (const session of [sessions.textEncoder, sessions.unet, sessions.vaeDecoder, sessions.vaeEncoder, sessions.previewDecoder, sessions.safetyChecker]) {
    if (session) await session.release();
  }
}
