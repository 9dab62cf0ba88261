// Failure sentences and the poison rule, without Redis: what a user reads for each way a render can
// fail, and which deaths make a job poison.
import { describe, expect, it } from 'vitest';
import { describeInputs, explainFailure } from '../src/queue/index.js';
import { INTERNAL_FAILURE, poisonSentence } from '../src/queue/render-failure.js';
import { isPoison } from '../src/queue/worker-deaths.js';

describe('explainFailure', () => {
  it('turns BullMQ and library texts into one friendly sentence with a retry', () => {
    for (const reason of [
      'job stalled more than allowable limit',
      'Missing lock for job 12. moveToFinished',
      '[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Non-zero status code',
      'connect ECONNREFUSED 127.0.0.1:6379',
      'TypeError: Cannot read properties of undefined (reading \'x\')\n    at foo (bar.ts:1:1)',
      '',
      INTERNAL_FAILURE,
    ]) {
      const e = explainFailure(reason, 'button');
      expect(e.retry).toBe(true);
      expect(e.sentence).toMatch(/^The (render workers|renderer) .*; press Retry to queue it again\.$/);
      expect(e.sentence).not.toMatch(/stalled|lock|ONNX|ECONN|TypeError/i);
    }
    expect(explainFailure('job stalled more than allowable limit', 'again').sentence).toBe(
      'The render workers kept stopping while working on this, so it was set aside; please ask for it again in a moment.',
    );
  });

  it('keeps the workers\' own sentences for bad input and cancellation, without a retry', () => {
    expect(explainFailure('The mask is 32x32 but the picture is 64x64.', 'button')).toEqual({ kind: 'input', retry: false, sentence: 'The mask is 32x32 but the picture is 64x64.' });
    expect(explainFailure('The render was cancelled after 3 steps.', 'button')).toMatchObject({ kind: 'cancelled', retry: false });
    const poison = poisonSentence('draft', { prompt: 'a fox', width: 64, height: 64, steps: 4, seed: 1 }, 3);
    expect(explainFailure(poison, 'button')).toMatchObject({ kind: 'poison', retry: false, sentence: poison });
  });

  it('names a job\'s inputs in a few words', () => {
    expect(describeInputs('refine', { prompt: 'x'.repeat(100), strength: 0.4, seed: 3 })).toBe(`refine "${'x'.repeat(59)}…", strength 0.4, seed 3`);
    expect(describeInputs('animate', { motion: 'zoom-in', seconds: 4 })).toBe('animate, zoom-in, 4 s');
  });
});

describe('isPoison', () => {
  const at = (...steps: number[]) => steps.map((step, i) => ({ worker: `w${i}`, step }));
  it('is true when different workers died at the same step and the job is the common factor', () => {
    expect(isPoison({ deaths: at(0, 0, 0), fleetDeathsSince: 3 }, 3)).toBe(true);
    expect(isPoison({ deaths: at(5, 7, 7, 7), fleetDeathsSince: 8 }, 3)).toBe(true);
  });
  it('is false for bad luck: too few deaths, random steps, one worker, or a fleet dying anyway', () => {
    expect(isPoison({ deaths: at(0, 0), fleetDeathsSince: 2 }, 3)).toBe(false);
    expect(isPoison({ deaths: at(2, 9, 5), fleetDeathsSince: 3 }, 3)).toBe(false);
    expect(isPoison({ deaths: [{ worker: 'a', step: 1 }, { worker: 'a', step: 1 }, { worker: 'b', step: 1 }], fleetDeathsSince: 3 }, 3)).toBe(false);
    expect(isPoison({ deaths: at(0, 0, 0), fleetDeathsSince: 14 }, 3)).toBe(false);
  });
});
