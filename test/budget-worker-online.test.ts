/**
 * The draft handler with an online step-budget rule, on the real toy engine: a hand-built budget.json
 * whose prior schedules 32 steps and whose stop threshold lets every run stop at the lower bound (8).
 * The draft runs 8 UNet steps, and the result (what the Discord message and the ledger show) says
 * 8 of 32 steps with the saving of 24; user steps are never cut short.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBudgetModel, type BudgetModel } from '../src/core/budget/budget-model.js';
import { predictOnlineBudget } from '../src/budget/step-budget.js';
import { DiffusionEngine } from '../src/diffusion/engine.js';
import { createLogger } from '../src/log.js';
import { FileBlobStore, type HandlerContext, type StepReport } from '../src/queue/index.js';
import { draftPayloadSchema } from '../src/queue/job-payloads.js';
import { ensureToyModels } from '../src/toy-model/index.js';
import { engineHandlers } from '../workers/render-handlers.js';

const summary = { meanSteps: 10, meanSsim: 0.96, p5Ssim: 0.9, shareBelow090: 0.02 };
const level = { ...summary, priorThreshold: 0.99, stopThreshold: 1e9 };

/** Every prompt: predicted SSIM 0.8, 0.9, 0.96, 1 at 4, 8, 16, 32 steps (CV RMSE 0.05). */
function onlineModel(): BudgetModel {
  const dim = 64;
  return parseBudgetModel({
    version: 1,
    modelId: 'toy',
    createdAt: '2026-01-01T00:00:00.000Z',
    scheduler: 'DDIMScheduler',
    stepGrid: [4, 8, 16, 32],
    stepRange: { min: 4, max: 32 },
    defaultSteps: 32,
    features: { dim, normalise: 'l2', mean: new Array(dim).fill(0), std: new Array(dim).fill(1) },
    curves: { ssim: { lambda: 1, intercept: [0.8, 0.9, 0.96, 1], weights: [0, 1, 2, 3].map(() => new Array(dim).fill(0)), cvRmse: 0.05 } },
    rule: { thresholds: { fast: 0.9, balanced: 0.95, best: 0.98 }, plateauSlope: 0, plateauFloor: 0.99, targets: { fast: 0.9, balanced: 0.95, best: 0.98 } },
    calibration: {
      prompts: 10, trainPrompts: 8, heldOutPrompts: 2, width: 64, height: 64, seed: 1, guidance: 7.5, msPerStep: 2,
      outOfFold: Object.fromEntries(['fast', 'balanced', 'best'].map((q) => [q, { ...summary, uniformSteps: 16, uniformMeanSsim: 0.97 }])),
    },
    online: { lowerBoundSigmas: 2, maxScheduledSteps: 32, levels: { fast: level, balanced: level, best: level } },
  });
}

let engine: DiffusionEngine;
let dir: string;
beforeAll(async () => {
  await ensureToyModels('models');
  engine = await DiffusionEngine.load('models/toy', { threads: 1 });
  dir = await mkdtemp(join(tmpdir(), 'budget-worker-'));
});
afterAll(async () => {
  await engine?.release();
  await rm(dir, { recursive: true, force: true });
});

function draftContext(extra: Record<string, unknown>, reports: StepReport[]): HandlerContext<'draft'> {
  const payload = draftPayloadSchema.parse({
    v: 1, requestId: 'r1', userId: 'u1', channel: { channelId: 'c1' }, draftId: 'd1',
    prompt: 'a wolf and a lantern in a forest at night', seed: 5, width: 64, height: 64, variants: 2, quality: 'balanced', ...extra,
  });
  return {
    jobId: 'd1', attempt: 1, payload, signal: new AbortController().signal, blobs: new FileBlobStore(dir),
    log: createLogger('silent', 'test'), previewEvery: 0, reportStep: (r) => reports.push(r),
  };
}

describe('draft handler with the online rule', () => {
  const defaults = { steps: 20, guidance: 7.5, quality: 'balanced' as const, budget: onlineModel() };

  it('stops at the lower bound and reports the steps actually run', async () => {
    const planned = predictOnlineBudget(defaults.budget, await engine.encodePooled('a wolf and a lantern in a forest at night'), 'balanced');
    expect(planned.budget.predictedSteps).toBe(32);
    expect(planned.stop).toEqual({ minSteps: 8, threshold: 1e9 });

    const reports: StepReport[] = [];
    const result = await engineHandlers(engine, defaults).draft!(draftContext({}, reports));
    expect(result.steps).toBe(8);
    expect(result.keys).toHaveLength(2);
    expect(reports.at(-1)).toMatchObject({ step: 8, total: 32 });
    expect(result.budget).toMatchObject({ predictedSteps: 8, defaultSteps: 32, savedSteps: 24 });
    expect(result.budget!.reason).toMatch(/stopped after 8 of 32 steps/);
    expect(result.budget!.msSaved).toBeGreaterThan(0);
  });

  it('user steps run in full', async () => {
    const result = await engineHandlers(engine, defaults).draft!(draftContext({ steps: 12 }, []));
    expect(result.steps).toBe(12);
    expect(result.budget).toMatchObject({ predictedSteps: 12, savedSteps: 20, reason: 'you asked for 12 steps' });
  });
});
