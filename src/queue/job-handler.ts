/**
 * The contract between the worker runtime and the code that does the work. A worker process builds
 * a registry with one handler per job name (draft and refine from the ONNX engine, animate, stylize
 * and storyboard from media code) after loading its models once; the runtime validates payloads,
 * wires cancellation and progress, and turns errors into retry-or-not decisions.
 */
import type { StepBudget } from '../core/budget/budget-rule.js';
import type { Logger } from '../log.js';
import type { BlobStore } from './blob-store.js';
import type { JobName, PayloadOf } from './job-payloads.js';

/** What a finished job returns (stored by BullMQ as the job's return value). */
export interface JobResult {
  /** Blob keys of the results (one per variant, or the export file). */
  keys: string[];
  seeds?: number[];
  /** Steps actually run per image, and steps the budget saved against the request. */
  steps?: number;
  stepsSaved?: number;
  /** The step budget the render ran with (drafts), for "saved 12 steps, 3.1 s". */
  budget?: StepBudget & { msSaved: number };
  /** Milliseconds spent in the models (GPU/CPU time that the energy ledger counts). */
  modelMs?: number;
  warnings?: string[];
}

/** Progress as stored on the job (job.updateProgress) and seen by the bot. */
export interface RenderProgress {
  step: number;
  total: number;
  /** Estimated ms left, from the time per step so far. */
  etaMs: number;
  /** Blob key of the latest preview PNG, when there is one. */
  previewKey?: string;
}

export interface StepReport {
  step: number;
  total: number;
  /** A small PNG of the current state; stored only every `previewEvery` steps and at the end. */
  previewPng?: Uint8Array | (() => Promise<Uint8Array>);
}

export interface HandlerContext<N extends JobName> {
  readonly jobId: string;
  /** 1 on the first try. */
  readonly attempt: number;
  readonly payload: PayloadOf[N];
  /** Aborts when the user cancels (reason 'cancelled') or the worker must shut down ('shutdown'). */
  readonly signal: AbortSignal;
  readonly blobs: BlobStore;
  readonly log: Logger;
  readonly previewEvery: number;
  /** Records progress; never throws and never blocks (updates are sent in order in the background). */
  reportStep(report: StepReport): void;
}

export type JobHandler<N extends JobName> = (ctx: HandlerContext<N>) => Promise<JobResult>;

/** One handler per job name this worker can run. */
export type HandlerRegistry = { [N in JobName]?: JobHandler<N> };
