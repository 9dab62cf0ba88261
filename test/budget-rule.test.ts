/**
 * The step-budget rule's edge cases: threshold crossing, plateau, a curve that never gets there, the
 * few-step clamp for LCM / Turbo models, user steps winning, and the energy ledger arithmetic.
 */
import { describe, expect, it } from 'vitest';
import { chooseSteps, decideBudget, type BudgetRule, type CurvePoint } from '../src/core/budget/budget-rule.js';
import { energyLedger } from '../src/core/budget/energy-ledger.js';

const rule: BudgetRule = { thresholds: { fast: 0.9, balanced: 0.95, best: 0.98 }, plateauSlope: 0.0005, plateauFloor: 0.85 };
const curve = (pairs: [number, number][]): CurvePoint[] => pairs.map(([steps, ssim]) => ({ steps, ssim }));

describe('chooseSteps', () => {
  const rising = curve([[4, 0.5], [8, 0.8], [12, 0.91], [20, 0.96], [30, 0.985], [50, 1]]);

  it('stops at the first step that reaches the threshold', () => {
    expect(chooseSteps(rising, 0.9, rule)).toEqual({ steps: 12, reason: 'threshold', ssim: 0.91 });
    expect(chooseSteps(rising, 0.95, rule).steps).toBe(20);
    expect(chooseSteps(rising, 0.98, rule).steps).toBe(30);
  });

  it('stops on a plateau above the floor even below the threshold', () => {
    const flat = curve([[4, 0.6], [8, 0.88], [12, 0.8801], [20, 0.8802], [50, 0.95]]);
    // Slope 8->12 is 0.000025 per step < 0.0005 and 0.88 >= floor 0.85.
    expect(chooseSteps(flat, 0.95, rule)).toEqual({ steps: 8, reason: 'plateau', ssim: 0.88 });
  });

  it('ignores an early flat stretch below the floor', () => {
    const early = curve([[4, 0.3], [8, 0.3], [12, 0.9], [50, 1]]);
    expect(chooseSteps(early, 0.95, rule)).toEqual({ steps: 50, reason: 'threshold', ssim: 1 });
  });

  it('falls back to the last step when nothing passes', () => {
    expect(chooseSteps(curve([[4, 0.2], [8, 0.4], [16, 0.6]]), 0.95, rule)).toEqual({ steps: 16, reason: 'not-reached', ssim: 0.6 });
  });

  it('rejects unsorted or empty curves', () => {
    expect(() => chooseSteps([], 0.9, rule)).toThrow(/empty/);
    expect(() => chooseSteps(curve([[8, 0.5], [4, 0.9]]), 0.95, rule)).toThrow(/increase/);
  });
});

describe('decideBudget', () => {
  const c = curve([[4, 0.7], [6, 0.85], [10, 0.93], [15, 0.97], [25, 0.99], [50, 1]]);

  it('reports the saving against the default and the reason', () => {
    const b = decideBudget({ curve: c, quality: 'balanced', rule, range: { min: 4, max: 50 }, defaultSteps: 50 });
    expect(b.predictedSteps).toBe(15);
    expect(b.savedSteps).toBe(35);
    expect(b.reason).toMatch(/passes the balanced threshold 0\.950 at 15 steps/);
    expect(b.curve).toBe(c);
  });

  it('quality levels order the budgets: fast <= balanced <= best', () => {
    const steps = (['fast', 'balanced', 'best'] as const).map(
      (quality) => decideBudget({ curve: c, quality, rule, range: { min: 1, max: 50 }, defaultSteps: 50 }).predictedSteps,
    );
    expect(steps).toEqual([10, 15, 25]);
  });

  it('keeps few-step models within 1-8 steps', () => {
    const lcm = curve([[1, 0.6], [2, 0.8], [4, 0.9], [6, 0.93], [8, 0.94], [50, 1]]);
    const b = decideBudget({ curve: lcm, quality: 'best', rule: { ...rule, plateauSlope: 0 }, range: { min: 1, max: 8 }, defaultSteps: 8 });
    expect(b.predictedSteps).toBe(8);
    expect(b.savedSteps).toBe(0);
    expect(b.reason).toMatch(/within this model's 1-8 steps/);
  });

  it('raises a budget below the model minimum', () => {
    const b = decideBudget({ curve: c, quality: 'fast', rule, range: { min: 12, max: 50 }, defaultSteps: 50 });
    expect(b.predictedSteps).toBe(12);
  });

  it('user steps always win, even above the default', () => {
    const b = decideBudget({ curve: c, quality: 'fast', rule, range: { min: 4, max: 50 }, defaultSteps: 50, userSteps: 60 });
    expect(b).toMatchObject({ predictedSteps: 60, savedSteps: 0, reason: 'you asked for 60 steps' });
    expect(() => decideBudget({ curve: c, quality: 'fast', rule, range: { min: 4, max: 50 }, defaultSteps: 50, userSteps: 0 })).toThrow(/userSteps/);
  });
});

describe('energyLedger', () => {
  it('turns steps into device-seconds and watt-hours', () => {
    const l = energyLedger(
      [
        { stepsUsed: 18, stepsSaved: 32, msPerStep: 100 },
        { stepsUsed: 30, stepsSaved: 20, msPerStep: 200 },
      ],
      250,
    );
    expect(l.renders).toBe(2);
    expect(l.deviceSeconds).toBeCloseTo(1.8 + 6, 12);
    expect(l.savedDeviceSeconds).toBeCloseTo(3.2 + 4, 12);
    expect(l.wattHours).toBeCloseTo((7.8 * 250) / 3600, 12);
    expect(l.savedWattHours).toBeCloseTo(0.5, 12);
    expect(l.savedShare).toBeCloseTo(52 / 100, 12);
  });

  it('is all zeros for an empty story and rejects a non-positive wattage', () => {
    expect(energyLedger([], 100)).toMatchObject({ renders: 0, wattHours: 0, savedShare: 0 });
    expect(() => energyLedger([], 0)).toThrow(/deviceWatts/);
  });
});
