/**
 * Calibration and evaluation end to end. First with a synthetic renderer whose convergence speed per
 * prompt is known (so the fitted budgets must order easy before hard prompts, and a second run must
 * reuse every cached curve), then on the real toy ONNX model with a reduced prompt set (8 train,
 * 4 held-out, 64x64, a 5-point step grid), writing into a temporary folder so models/toy stays clean.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBudgetModel } from '../src/core/budget/budget-model.js';
import { FIT_TAIL_SHARE } from '../src/core/budget/choice-summary.js';
import { parseCurveRecords } from '../src/core/budget/curve-record.js';
import { SeededRandom } from '../src/core/random.js';
import type { RgbImage } from '../src/core/image.js';
import { CALIBRATION_SEED, calibrate, type BudgetRenderer } from '../src/budget/calibrate.js';
import { evaluateBudget } from '../src/budget/evaluate.js';
import { formatEvaluationMarkdown } from '../src/budget/evaluation-report.js';
import { fnv1a32, promptSeed, readPromptList, splitPrompts } from '../src/budget/prompt-set.js';
import { predictBudget } from '../src/budget/step-budget.js';
import { DiffusionEngine } from '../src/diffusion/engine.js';
import type { RenderRequest } from '../src/diffusion/render-types.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'budget-'));
  dirs.push(d);
  return d;
}

/** Difficulty in [0.2, 0.9]: the residual noise after s steps is 90 * difficulty^(s / 2). */
const difficulty = (prompt: string) => 0.2 + 0.7 * ((fnv1a32(prompt) % 1000) / 999);

class SyntheticRenderer implements BudgetRenderer {
  renders = 0;
  async encodePooled(prompt: string): Promise<Float32Array> {
    const d = difficulty(prompt);
    const r = new SeededRandom(fnv1a32(prompt));
    return Float32Array.from([d, 1 - d, 0.05 * r.nextGaussian(), 0.05 * r.nextGaussian()]);
  }
  /** The picture after `k` of `n` steps: residual noise shrinks with k, and stopping early costs a bit more. */
  private picture(req: RenderRequest, k: number, n: number): RgbImage {
    const { width: w, height: h } = req;
    const base = new SeededRandom(fnv1a32(req.prompt));
    const noise = new SeededRandom(req.seed);
    const amp = 90 * difficulty(req.prompt) ** (k / 2) * (1 + (n - k) / n);
    const fx = 3 + base.nextFloat() * 5;
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      const v = 128 + 60 * Math.sin((i % w) / fx) * Math.cos(Math.floor(i / w) / 4) + amp * noise.nextGaussian();
      data.fill(Math.max(0, Math.min(255, Math.round(v))), i * 3, i * 3 + 3);
    }
    return { width: w, height: h, data };
  }

  async render(req: RenderRequest) {
    this.renders++;
    const n = req.steps;
    let k = n;
    const stop = req.earlyStop;
    if (stop) {
      for (let step = 2; step < n; step++) {
        // The synthetic x0 settles like the residual noise: projected change ~ difficulty^(step/2).
        const projected = [difficulty(req.prompt) ** (step / 2)];
        if (step >= stop.minSteps) await stop.observe?.({ step, total: n, projected, finish: async () => [this.picture(req, step, n)] });
        if (step >= stop.minSteps && projected[0] < stop.threshold) {
          k = step;
          break;
        }
      }
    }
    const timings = { textEncoderMs: 0, unetMs: k * 0.5, vaeEncoderMs: 0, vaeDecoderMs: 0, unetCalls: k };
    return { images: [this.picture(req, k, n)], steps: k, timings };
  }
}

const syntheticPrompts = Array.from({ length: 30 }, (_, i) => `synthetic scene ${i} with a castle`);

describe('calibrate (synthetic renderer)', () => {
  it('fits budgets that give easy prompts fewer steps, and resumes from the JSONL', async () => {
    const dir = await tempDir();
    const renderer = new SyntheticRenderer();
    const prompts = splitPrompts(syntheticPrompts);
    const stepGrid = [2, 4, 6, 8, 12, 16, 24];
    const lines: string[] = [];
    const first = await calibrate(renderer, { modelDir: dir, prompts, stepGrid, size: 32, folds: 4, log: (l) => lines.push(l) });
    expect(first.rendered).toBe(prompts.train.length);
    expect(renderer.renders).toBe(prompts.train.length * stepGrid.length);
    expect(lines.some((l) => l.startsWith('[1/'))).toBe(true);
    const records = parseCurveRecords(await readFile(first.curvesFile, 'utf8'));
    expect(records).toHaveLength(prompts.train.length);
    expect(records[0].ssim.at(-1)).toBe(1);
    // Every prompt starts from noise of its own, the same on every run.
    expect(records.map((r) => r.seed)).toEqual(prompts.train.map((p) => promptSeed(CALIBRATION_SEED, p)));
    expect(new Set(records.map((r) => r.seed)).size).toBe(records.length);
    const model = parseBudgetModel(JSON.parse(await readFile(first.budgetFile, 'utf8')));
    expect(model.stepGrid).toEqual(stepGrid);
    expect(model.calibration.msPerStep).toBeCloseTo(0.5, 9);
    // Schedules above 4 steps (the minimum) and up to 60% of the reference (24) are traced.
    expect(records[0].online!.map((t) => [t.steps, t.from, t.projected.length, t.ssim.length])).toEqual([[6, 4, 3, 3], [8, 4, 5, 5], [12, 4, 9, 9]]);
    expect(records[0].online![2].ssim.at(-1)).toBe(records[0].ssim[stepGrid.indexOf(12)]);
    // Chosen at the loosest strictness, the online rule may match the prompt-only rule (stop threshold 0)
    // but never needs more steps; a stricter choice is cross-validation's, and then holds out of fold.
    const online = model.online!;
    expect(online.maxScheduledSteps).toBe(12);
    for (const q of ['fast', 'balanced', 'best'] as const) {
      const { crossValidated, meanSteps } = online.levels[q];
      if (crossValidated!.meanMargin === 0 && crossValidated!.tailShare === FIT_TAIL_SHARE) {
        expect(meanSteps).toBeLessThanOrEqual(model.calibration.outOfFold[q].meanSteps + 1e-9);
      } else {
        expect(crossValidated!.meanSsim).toBeGreaterThanOrEqual(model.rule.targets[q]);
      }
    }

    const easy = syntheticPrompts.reduce((a, b) => (difficulty(a) < difficulty(b) ? a : b));
    const hard = syntheticPrompts.reduce((a, b) => (difficulty(a) > difficulty(b) ? a : b));
    const stepsFor = async (p: string) => predictBudget(model, await renderer.encodePooled(p), 'balanced').predictedSteps;
    expect(await stepsFor(easy)).toBeLessThan(await stepsFor(hard));

    const second = await calibrate(renderer, { modelDir: dir, prompts, stepGrid, size: 32, folds: 4 });
    expect(second.rendered).toBe(0);
    expect(second.reused).toBe(prompts.train.length);
    expect(renderer.renders).toBe(prompts.train.length * stepGrid.length);

    // Evaluated with two seeds, every held-out prompt counts twice, each render against its own reference.
    const report = await evaluateBudget(renderer, model, { prompts: prompts.heldout, seeds: [7, 8], qualities: ['balanced'] });
    expect(report.prompts).toBe(prompts.heldout.length);
    expect(report.seeds).toEqual([7, 8]);
    expect(report.perPrompt.map((p) => [p.prompt, p.seed])).toEqual(prompts.heldout.flatMap((p) => [[p, promptSeed(7, p)], [p, promptSeed(8, p)]]));
    for (let i = 0; i < report.perPrompt.length; i += 2) {
      const [a, b] = [report.perPrompt[i].byQuality.balanced.promptOnly!, report.perPrompt[i + 1].byQuality.balanced.promptOnly!];
      expect(a.steps).toBe(b.steps); // the prompt sets the prior
      if (a.steps < stepGrid.at(-1)!) expect(a.ssim).not.toBe(b.ssim); // the seed sets the picture
    }
    expect(report.perPrompt.some((p) => p.byQuality.balanced.promptOnly!.steps < stepGrid.at(-1)!)).toBe(true);
    expect(formatEvaluationMarkdown(report, model)).toContain(`each rendered with 2 seeds of its own (from base seeds 7, 8): ${2 * prompts.heldout.length} renders per method`);
  });

  it('drops cached curves of another model build and measures again', async () => {
    const dir = await tempDir();
    const renderer = new SyntheticRenderer();
    const prompts = splitPrompts(syntheticPrompts.slice(0, 12));
    const options = { modelDir: dir, prompts, stepGrid: [2, 4, 8], size: 16, folds: 2 };
    await mkdir(join(dir, 'unet'));
    await writeFile(join(dir, 'unet', 'model.onnx'), 'build A');
    const first = await calibrate(renderer, options);
    expect(first.rendered).toBe(prompts.train.length);
    expect((await calibrate(renderer, options)).reused).toBe(prompts.train.length);
    await writeFile(join(dir, 'unet', 'model.onnx'), 'build B'); // the model was rebuilt
    const lines: string[] = [];
    const third = await calibrate(renderer, { ...options, log: (l) => lines.push(l) });
    expect(third.rendered).toBe(prompts.train.length);
    expect(third.reused).toBe(0);
    expect(lines.some((l) => l.startsWith(`dropped ${prompts.train.length} curve records`))).toBe(true);
    const records = parseCurveRecords(await readFile(first.curvesFile, 'utf8'));
    expect(records).toHaveLength(prompts.train.length); // stale lines removed, not kept beside the new ones
    expect(new Set(records.map((r) => r.build)).size).toBe(1);
    expect(records[0].build).not.toBe(first.records[0].build);
  });
});

// models/toy is built by the test global setup (ensureToyModels), so this never skips.
describe('calibrate + evaluate on the toy model', () => {
  it('fits 8 training prompts and saves UNet evaluations on 4 held-out ones', async () => {
    const dir = await tempDir();
    const all = splitPrompts(await readPromptList());
    const prompts = { train: all.train.slice(0, 8), heldout: all.heldout.slice(0, 4) };
    const engine = await DiffusionEngine.load(join('models', 'toy'), { threads: 1 });
    try {
      const result = await calibrate(engine, {
        modelDir: join('models', 'toy'),
        curvesFile: join(dir, 'budget-curves.jsonl'),
        budgetFile: join(dir, 'budget.json'),
        prompts,
        stepGrid: [4, 6, 8, 12, 20],
        size: 64,
        folds: 4,
      });
      expect(result.rendered).toBe(8);
      const model = parseBudgetModel(JSON.parse(await readFile(join(dir, 'budget.json'), 'utf8')));
      expect(model).toMatchObject({ modelId: 'toy', scheduler: 'DDIMScheduler', defaultSteps: 20, features: { dim: 64 } });
      for (const r of result.records) {
        expect(r.ssim.at(-1)).toBe(1);
        expect(r.ssim.every((v) => v <= 1 && v > -1)).toBe(true);
      }

      const report = await evaluateBudget(engine, model, { prompts: prompts.heldout });
      expect(report.prompts).toBe(4);
      for (const q of report.qualities) {
        expect(q.methods.map((m) => m.method)).toEqual(['fixed', 'bestFixed', 'promptOnly', 'online']);
        for (const m of q.methods) {
          expect(m.meanSteps).toBeGreaterThanOrEqual(4);
          expect(m.meanSteps).toBeLessThanOrEqual(20);
          expect(m.meanSsim).toBeGreaterThan(0);
          expect(m.meanSsim).toBeLessThanOrEqual(1);
        }
        // The best fixed count is the fewest grid steps meeting the target on these prompts.
        const best = q.methods.find((m) => m.method === 'bestFixed')!;
        expect(best.meetsTarget || q.bestFixedSteps === 20).toBe(true);
        expect(best.fewerThanBestFixedPct).toBe(0);
      }
      const promptOnly = (q: number) => report.qualities[q].methods.find((m) => m.method === 'promptOnly')!;
      expect(promptOnly(0).meanSteps).toBeLessThanOrEqual(promptOnly(2).meanSteps);
      expect(report.goals.map((g) => g.method)).toEqual(['promptOnly', 'online']);
      const markdown = formatEvaluationMarkdown(report, model);
      expect(markdown).toMatch(/\| balanced \| prompt\+online \|/);
      expect(markdown).toMatch(/\| balanced \| best fixed \d+ \(on these prompts\) \|/);
    } finally {
      await engine.release();
    }
  });
});
