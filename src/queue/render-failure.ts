/**
 * What a failed render means to the person who asked for it. Every failure reason a job can end
 * with becomes one friendly sentence with what to do, and a flag saying whether a Retry button makes
 * sense. Workers already fail with sentences of their own (bad input, cancellation, a poison job,
 * the unexpected-error sentence on the last attempt); BullMQ's own texts (a job stalled more than
 * the stall limit, a lost lock) and anything else that looks like library text are translated here,
 * so none of it reaches Discord or the CLI.
 */
import type { JobName } from './job-payloads.js';

export type FailureKind = 'cancelled' | 'input' | 'poison' | 'workers-lost' | 'internal';

export interface FailureExplanation {
  kind: FailureKind;
  /** One sentence for the user, ending with what to do. */
  sentence: string;
  /** True when queueing the same request again may well work. */
  retry: boolean;
}

/** Where the user can retry: a Retry button under the message, or by asking again. */
export type RetryWay = 'button' | 'again';

/** The last attempt of an unexpected error ends with this (the error itself is logged by the worker). */
export const INTERNAL_FAILURE = 'The renderer hit an unexpected problem (it has been logged)';

const WORKERS_LOST = 'The render workers kept stopping while working on this, so it was set aside';
const RETRY_ADVICE: Record<RetryWay, string> = { button: '; press Retry to queue it again.', again: '; please ask for it again in a moment.' };
const POISON_OPENING = 'This request stopped ';
const LIBRARY_TEXT = /stalled more than allowable limit|Missing lock|Lock mismatch|could not renew lock|\bError:|ERR |ECONN|ONNXRuntime|\n\s+at /i;

/** The sentence a poison job fails with: it names the job's inputs so an operator can find it. */
export function poisonSentence(name: JobName, data: unknown, workers: number): string {
  return `${POISON_OPENING}${workers} render workers in a row, so it was not tried again (${describeInputs(name, data)}); try a smaller size, fewer steps or a shorter prompt.`;
}

/** A job's inputs in a few words: `draft "a red fox…", 512x512, 30 steps, seed 7`. */
export function describeInputs(name: string, data: unknown): string {
  const d = (data ?? {}) as Record<string, unknown>;
  const quote = (text: unknown) => {
    const clean = String(text ?? '').replace(/\s+/g, ' ').trim();
    return `"${clean.length > 60 ? `${clean.slice(0, 59)}…` : clean}"`;
  };
  const parts: string[] = [name];
  if (typeof d.prompt === 'string') parts[0] = `${name} ${quote(d.prompt)}`;
  else if (typeof d.style === 'string') parts[0] = `${name} ${quote(d.style)}`;
  if (typeof d.width === 'number' && typeof d.height === 'number') parts.push(`${d.width}x${d.height}`);
  if (typeof d.steps === 'number') parts.push(`${d.steps} steps`);
  if (typeof d.variants === 'number') parts.push(`${d.variants} variant${d.variants === 1 ? '' : 's'}`);
  if (typeof d.strength === 'number') parts.push(`strength ${d.strength}`);
  if (typeof d.motion === 'string') parts.push(`${d.motion}, ${String(d.seconds)} s`);
  if (typeof d.format === 'string') parts.push(d.format);
  if (typeof d.seed === 'number') parts.push(`seed ${d.seed}`);
  return parts.join(', ');
}

/**
 * Sorts a failed job's reason into one sentence and whether Retry makes sense; `way` says how the
 * user can retry where they read it.
 * @example explainFailure('job stalled more than allowable limit', 'again').sentence
 * // 'The render workers kept stopping while working on this, so it was set aside; please ask for it again in a moment.'
 */
export function explainFailure(reason: string | undefined, way: RetryWay): FailureExplanation {
  const text = (reason ?? '').trim();
  const retryable = (kind: FailureKind, head: string): FailureExplanation => ({ kind, sentence: head + RETRY_ADVICE[way], retry: true });
  if (/^The render was cancelled/.test(text)) return { kind: 'cancelled', sentence: text, retry: false };
  if (text.startsWith(POISON_OPENING)) return { kind: 'poison', sentence: text, retry: false };
  if (/stalled more than allowable limit/i.test(text)) return retryable('workers-lost', WORKERS_LOST);
  if (text === INTERNAL_FAILURE || text === '' || LIBRARY_TEXT.test(text) || !/^[A-Z"“]/.test(text)) return retryable('internal', INTERNAL_FAILURE);
  return { kind: 'input', sentence: text, retry: false };
}
