/**
 * DiffusionEngine: the worker's handle on one loaded model (ARCHITECTURE.md "Engine"). It loads a
 * folder once, renders requests one at a time (onnxruntime-node runs each session call on the
 * calling thread, so overlapping renders would only interleave, and per-render timings would mix),
 * and offers the pooled prompt encoding that step budgets use. Worker side only: the bot process
 * never imports this.
 */
import { loadModel, type LoadedModel } from './model-loader.js';
import { releaseModelSessions, sessionSettingsFromConfig, type SessionSettings } from './model-sessions.js';
import { renderNativeThenUpscale } from './native-render.js';
import { renderWithModel } from './pipeline.js';
import type { RgbImage } from '../core/image.js';
import type { RenderRequest, RenderResult } from './render-types.js';
import { checkPictures } from './safety-checker.js';

export interface EngineOptions extends Partial<SessionSettings> {
  /** Folder of a TAESD-style preview decoder inside the model folder (default: taesd_decoder, if present). */
  previewDecoder?: string;
}

/** What a loaded model is, for logs, the CLI and `/status`. */
export interface ModelDescription {
  dir: string;
  scheduler: string;
  predictionType: string;
  timestep: string;
  unetChannels: 4 | 9;
  hiddenSize: number;
  fp16: boolean;
  lcm: boolean;
  vaeEncoder: 'none' | 'latent_sample' | 'latent_parameters';
  vaeScalingFactor: number;
  padId: number;
  nativeSize?: number;
  /** The folder has safety_checker/model.onnx. */
  safetyChecker: boolean;
}

export class DiffusionEngine {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly model: LoadedModel) {}

  /**
   * Loads a model folder. Throws ModelFolderError (one sentence) when the folder is not usable.
   * @example const engine = await DiffusionEngine.load('models/toy', { threads: 2 });
   */
  static async load(dir: string, options: EngineOptions = {}): Promise<DiffusionEngine> {
    const settings: SessionSettings = { executionProvider: options.executionProvider ?? 'cpu', threads: options.threads ?? 0, cacheDir: options.cacheDir };
    return new DiffusionEngine(await loadModel(dir, settings, { previewDecoder: options.previewDecoder }));
  }

  /** Session settings from the app Config (ORT_EXECUTION_PROVIDER, ORT_THREADS, ORT_CACHE_DIR). */
  static optionsFromConfig = sessionSettingsFromConfig;

  /**
   * Renders one request (queued behind any render already running on this engine). Requests larger
   * than the model's native size run at the native size and are upscaled (native-render.ts).
   */
  render(req: RenderRequest): Promise<RenderResult> {
    return this.serialized(() => renderNativeThenUpscale(this.model.folder.nativeSize, req, (r) => renderWithModel(this.model, r)));
  }

  /** The side the model was trained at (unet sample_size x 8), when its folder says. */
  get nativeSize(): number | undefined {
    return this.model.folder.nativeSize;
  }

  /**
   * Which pictures the model's safety checker flags, or null when the folder has none.
   * @example const flagged = await engine.checkSafety(result.images) // -> [false, true, false, false]
   */
  checkSafety(images: readonly RgbImage[]): Promise<boolean[] | null> {
    const checker = this.model.safetyChecker;
    if (!checker) return Promise.resolve(null);
    return this.serialized(() => checkPictures(checker, images));
  }

  /** The mean text-encoder output over the prompt's real tokens (length D), for step budgets. */
  encodePooled(prompt: string): Promise<Float32Array> {
    return this.serialized(() => this.model.prompts.pooled(prompt));
  }

  /** Content tokens a prompt uses (no BOS/EOS), for prompt fitting. */
  countTokens(text: string): number {
    return this.model.tokenizer.countTokens(text);
  }

  describe(): ModelDescription {
    const { signature, folder, scheduler, prompts, tokenizer } = this.model;
    const unet = signature.unet;
    return {
      dir: folder.dir,
      scheduler: scheduler.name,
      predictionType: scheduler.config.predictionType ?? 'epsilon',
      timestep: `${unet.timestepType}${unet.timestepRank0 ? ' scalar' : ' [B]'}`,
      unetChannels: unet.channels,
      hiddenSize: prompts.hiddenSize,
      fp16: unet.sampleType === 'float16',
      lcm: unet.timestepCond !== undefined,
      vaeEncoder: signature.vaeEncoder?.kind ?? 'none',
      vaeScalingFactor: folder.vaeScalingFactor,
      padId: tokenizer.padId,
      nativeSize: folder.nativeSize,
      safetyChecker: this.model.safetyChecker !== undefined,
    };
  }

  /** Releases the sessions; the engine is unusable afterwards. */
  async release(): Promise<void> {
    await this.serialized(() => releaseModelSessions(this.model.sessions));
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
