/**
 * Step budgets at run time: budget.json validation, predictBudget on a hand-built model whose answer
 * is known, time estimates, the /budget chart (a real PNG of the requested size), the optional CLIP
 * adapter (skipped when no model is installed; a stand-in vision model built with src/onnx when one
 * is), and the prompt set's split.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { RgbImage } from '../src/core/image.js';
import { budgetFeatures, parseBudgetModel, type BudgetModel } from '../src/core/budget/budget-model.js';
import { budgetChartSvg, renderBudgetChart } from '../src/budget/budget-chart.js';
import { cosine, loadClipImageScorer } from '../src/budget/clip-image.js';
import { stepProfileFor } from '../src/budget/model-step-range.js';
import { OnnxGraphBuilder } from '../src/onnx/index.js';
import { parsePromptList, promptSplit, readPromptList, splitPrompts } from '../src/budget/prompt-set.js';
import { loadBudgetModel, msPerStepAt, predictBudget, predictSsimCurve, timeSavedMs } from '../src/budget/step-budget.js';

const grid = [4, 8, 16, 32];
/** Feature 0 (after L2 normalisation) raises the whole curve: prompts pointing along it converge early. */
function handModel(): BudgetModel {
  const summary = { meanSteps: 10, meanSsim: 0.96, p5Ssim: 0.9, shareBelow090: 0.02, uniformSteps: 16, uniformMeanSsim: 0.97 };
  return parseBudgetModel({
    version: 1,
    modelId: 'hand',
    createdAt: '2025-01-01T00:00:00.000Z',
    scheduler: 'DDIMScheduler',
    stepGrid: grid,
    stepRange: { min: 4, max: 32 },
    defaultSteps: 32,
    features: { dim: 2, normalise: 'l2', mean: [0, 0], std: [1, 1] },
    curves: {
      ssim: { lambda: 1, intercept: [0.7, 0.85, 0.94, 1], weights: [[0.25, 0], [0.1, 0], [0.05, 0], [0, 0]], cvRmse: 0.01 },
    },
    rule: { thresholds: { fast: 0.9, balanced: 0.95, best: 0.98 }, plateauSlope: 0, plateauFloor: 0.9, targets: { fast: 0.9, balanced: 0.95, best: 0.98 } },
    calibration: { prompts: 10, trainPrompts: 8, heldOutPrompts: 2, width: 64, height: 64, seed: 1, guidance: 7.5, msPerStep: 2, outOfFold: { fast: summary, balanced: summary, best: summary } },
  });
}

describe('budget.json', () => {
  it('names the wrong field', () => {
    const bad = { ...handModel(), stepGrid: [8, 4, 16, 32] };
    expect(() => parseBudgetModel(bad)).toThrow(/stepGrid\.1/);
    expect(() => parseBudgetModel({ ...handModel(), version: 2 })).toThrow(/version/);
  });

  it('loadBudgetModel returns null when the model was never calibrated', async () => {
    expect(await loadBudgetModel(join(tmpdir(), 'no-such-model-folder'))).toBeNull();
  });
});

describe('predictBudget', () => {
  const model = handModel();

  it('predicts the curve from the L2-normalised pooled encoding', () => {
    // [3, 4] normalises to [0.6, 0.8]: ssim = intercept + 0.6 * weights[.][0].
    expect(budgetFeatures([3, 4], 'l2')).toEqual([0.6, 0.8]);
    expect(predictSsimCurve(model, [3, 4]).map((p) => Number(p.ssim.toFixed(6)))).toEqual([0.85, 0.91, 0.97, 1]);
  });

  it('an easy prompt gets fewer steps than a hard one', () => {
    const easy = predictBudget(model, [1, 0], 'balanced'); // 0.95, 0.95, 0.99, 1
    const hard = predictBudget(model, [-1, 0], 'balanced'); // 0.45, 0.75, 0.89, 1
    expect(easy).toMatchObject({ predictedSteps: 4, defaultSteps: 32, savedSteps: 28, quality: 'balanced' });
    expect(hard.predictedSteps).toBe(32);
    expect(predictBudget(model, [0, 1], 'fast').predictedSteps).toBe(16);
  });

  it('user steps win; a pooled vector of the wrong size is refused', () => {
    expect(predictBudget(model, [1, 0], 'best', 25)).toMatchObject({ predictedSteps: 25, savedSteps: 7 });
    expect(() => predictBudget(model, [1, 0, 0], 'best')).toThrow(/expects 2/);
  });

  it('estimates time saved, scaling ms per step by pixel count', () => {
    const b = predictBudget(model, [1, 0], 'balanced');
    expect(msPerStepAt(model, 128, 128)).toBe(8);
    expect(timeSavedMs(b, msPerStepAt(model, 128, 128))).toBe(28 * 8);
  });
});

describe('model step profile', () => {
  it('keeps few-step models within 1-8 steps', () => {
    expect(stepProfileFor('LCMScheduler', ['lcm-dreamshaper']).range).toEqual({ min: 1, max: 8 });
    expect(stepProfileFor('EulerDiscreteScheduler', ['sd-turbo'])).toMatchObject({ fewStep: true, defaultSteps: 8 });
    expect(stepProfileFor('DDIMScheduler', ['toy'])).toMatchObject({ fewStep: false, defaultSteps: 50, range: { min: 4, max: 50 } });
  });
});

describe('budget chart', () => {
  const budget = predictBudget(handModel(), [0, 1], 'balanced');

  it('is a PNG of the requested size', async () => {
    const png = await renderBudgetChart(budget, { width: 400, height: 220, threshold: 0.95, title: 'a fox & <a crow>' });
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const meta = await sharp(png).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 400, height: 220 });
  });

  it('escapes the title and marks the chosen step', () => {
    const svg = budgetChartSvg(budget, { title: 'a fox & <a crow>' });
    expect(svg).toContain('a fox &amp; &lt;a crow&gt;');
    expect(svg).toContain(`${budget.predictedSteps} steps`);
  });
});

describe('CLIP image adapter', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('is skipped cleanly when no model is installed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'clip-'));
    dirs.push(dir);
    await writeFile(join(dir, 'README.txt'), 'no model here');
    expect(await loadClipImageScorer(undefined)).toBeNull();
    expect(await loadClipImageScorer(dir)).toBeNull();
  });

  it('loads an installed vision model and embeds with CLIP preprocessing', async () => {
    // Stand-in for a CLIP vision tower: image_embeds = per-channel mean of pixel_values (32x32 crop).
    const dir = await mkdtemp(join(tmpdir(), 'clip-'));
    dirs.push(dir);
    const g = new OnnxGraphBuilder('mean-pool');
    const x = g.input('pixel_values', 'float', [1, 3, 32, 32]);
    g.output(g.op('Flatten', [g.op('GlobalAveragePool', [x])], { axis: 1 }), 'image_embeds', 'float', [1, 3]);
    await writeFile(join(dir, 'vision_model.onnx'), g.serialize());
    await writeFile(join(dir, 'preprocessor_config.json'), JSON.stringify({ crop_size: { height: 32, width: 32 }, image_mean: [0.5, 0.5, 0.5], image_std: [0.25, 0.5, 1] }));
    const scorer = (await loadClipImageScorer(dir))!;
    expect(scorer).not.toBeNull();
    const flat = (r: number, gr: number, b: number): RgbImage => {
      const data = new Uint8Array(48 * 40 * 3);
      for (let i = 0; i < data.length; i += 3) data.set([r, gr, b], i);
      return { width: 48, height: 40, data };
    };
    const e = await scorer.embed(flat(255, 0, 51));
    // (v / 255 - 0.5) / std per channel: (1 - 0.5) / 0.25, (0 - 0.5) / 0.5, (0.2 - 0.5) / 1.
    expect(Array.from(e).map((v) => Number(v.toFixed(4)))).toEqual([2, -1, -0.3]);
    expect(cosine(e, await scorer.embed(flat(255, 0, 51)))).toBeCloseTo(1, 6);
    expect(cosine(e, await scorer.embed(flat(0, 255, 204)))).toBeLessThan(0);
  });

  it('cosine is 1 for parallel, 0 for orthogonal, -1 for opposite vectors', () => {
    expect(cosine([1, 2], [2, 4])).toBeCloseTo(1, 12);
    expect(cosine([1, 0], [0, 3])).toBe(0);
    expect(cosine([1, 1], [-1, -1])).toBeCloseTo(-1, 12);
  });
});

describe('prompt set', () => {
  it('ships about 300 distinct prompts with a stable ~20% held-out split', async () => {
    const prompts = await readPromptList();
    expect(prompts.length).toBeGreaterThanOrEqual(280);
    expect(new Set(prompts).size).toBe(prompts.length);
    const { train, heldout } = splitPrompts(prompts);
    expect(heldout.length / prompts.length).toBeGreaterThan(0.12);
    expect(heldout.length / prompts.length).toBeLessThan(0.28);
    expect(train.length + heldout.length).toBe(prompts.length);
    // The split depends on the text only, not on position.
    expect(splitPrompts([...prompts].reverse()).heldout.sort()).toEqual([...heldout].sort());
  });

  it('limits keep both sets and skip comments and duplicates', () => {
    expect(parsePromptList('# c\n\n a b \na b\nc d\n')).toEqual(['a b', 'c d']);
    const prompts = Array.from({ length: 100 }, (_, i) => `scene number ${i}`);
    const s = splitPrompts(prompts, 12);
    expect(s.train.length + s.heldout.length).toBe(12);
    expect(s.heldout.length).toBeGreaterThanOrEqual(1);
    expect(s.heldout.every((p) => promptSplit(p) === 'heldout')).toBe(true);
  });
});
