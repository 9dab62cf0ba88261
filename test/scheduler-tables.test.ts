/**
 * Schedules pinned against the reference formulas (REFERENCE.md §2, written out naively here) and
 * against numbers diffusers is known to print for Stable Diffusion's scheduled_linear betas.
 */
import { describe, expect, it } from 'vitest';
import { alphasCumprod, makeBetas, trainingSigmas } from '../src/core/schedulers/betas.js';
import { createScheduler, STABLE_DIFFUSION_V1 } from '../src/core/schedulers/index.js';
import { roundHalfEven, spacedTimesteps, type TimestepSpacing } from '../src/core/schedulers/timesteps.js';
import { SD_BETAS } from './scheduler-gaussian.js';

const T = 1000;
const STEPS = [1, 4, 20, 50];

/** Reference: numpy's half-to-even rounding, written independently. */
function npRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function reference(spacing: TimestepSpacing, n: number, offset: number, round: boolean): number[] {
  if (spacing === 'leading') {
    const ratio = Math.floor(T / n);
    return Array.from({ length: n }, (_, i) => (n - 1 - i) * ratio + offset);
  }
  if (spacing === 'trailing') return Array.from({ length: n }, (_, i) => npRound(T - i * (T / n)) - 1);
  const step = n === 1 ? 0 : (T - 1) / (n - 1);
  const up = Array.from({ length: n }, (_, i) => (i === n - 1 && n > 1 ? T - 1 : i * step));
  return up.reverse().map((v) => (round ? npRound(v) : Math.fround(v)));
}

describe('betas and alphas_cumprod', () => {
  const ac = alphasCumprod(makeBetas(SD_BETAS));
  it('matches diffusers for SD scaled_linear 0.00085..0.012', () => {
    expect(ac[0]).toBeCloseTo(0.99915, 6);
    expect(ac[999]).toBeCloseTo(0.00466, 5);
    const sigmas = trainingSigmas(ac);
    expect(sigmas[999]).toBeCloseTo(14.6146, 3);
    expect(sigmas[0]).toBeCloseTo(0.0291675, 5);
  });
  it('linear, cosine and trained betas', () => {
    const lin = makeBetas({ numTrainTimesteps: T, betaStart: 0.0001, betaEnd: 0.02, betaSchedule: 'linear' });
    expect(lin[0]).toBeCloseTo(0.0001, 9);
    expect(lin[999]).toBeCloseTo(0.02, 9);
    expect(lin[500]).toBeCloseTo(0.0001 + (500 * 0.0199) / 999, 8);
    const cos = makeBetas({ numTrainTimesteps: T, betaStart: 0, betaEnd: 0, betaSchedule: 'squaredcos_cap_v2' });
    const f = (t: number) => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    expect(cos[10]).toBeCloseTo(1 - f(11 / T) / f(10 / T), 7);
    expect(cos[999]).toBeCloseTo(0.999, 6); // capped
    const trained = makeBetas({ ...SD_BETAS, numTrainTimesteps: 3, trainedBetas: [0.1, 0.2, 0.3] });
    const acTrained = alphasCumprod(trained);
    [0.9, 0.9 * 0.8, 0.9 * 0.8 * 0.7].forEach((v, i) => expect(acTrained[i]).toBeCloseTo(v, 6));
    expect(() => makeBetas({ ...SD_BETAS, trainedBetas: [0.1] })).toThrow(/trainedBetas has 1 values/);
  });
});

describe('timestep spacing', () => {
  it('rounds halves to even like numpy', () => {
    expect([0.5, 1.5, 2.5, 812.5, 937.5, 3.2, 3.7].map(roundHalfEven)).toEqual([0, 2, 2, 812, 938, 3, 4]);
  });
  for (const spacing of ['leading', 'trailing', 'linspace'] as const) {
    for (const n of STEPS) {
      it(`${spacing}, ${n} steps`, () => {
        const got = spacedTimesteps({ spacing, numInferenceSteps: n, numTrainTimesteps: T, stepsOffset: 1, roundLinspace: true });
        expect(got).toEqual(reference(spacing, n, 1, true));
        const float = spacedTimesteps({ spacing, numInferenceSteps: n, numTrainTimesteps: T, stepsOffset: 0, roundLinspace: false });
        expect(float).toEqual(reference(spacing, n, 0, false));
      });
    }
  }
  it('well-known values', () => {
    const sp = (spacing: TimestepSpacing, n: number, offset = 0) =>
      spacedTimesteps({ spacing, numInferenceSteps: n, numTrainTimesteps: T, stepsOffset: offset, roundLinspace: true });
    expect(sp('leading', 50, 1).slice(0, 3)).toEqual([981, 961, 941]);
    expect(sp('leading', 50, 1).at(-1)).toBe(1);
    expect(sp('leading', 4, 1)).toEqual([751, 501, 251, 1]);
    expect(sp('trailing', 4)).toEqual([999, 749, 499, 249]);
    expect(sp('linspace', 4)).toEqual([999, 666, 333, 0]);
    expect(sp('trailing', 16)[3]).toBe(811); // round(812.5) = 812 in numpy, minus 1
    expect(sp('trailing', 61)).toHaveLength(61); // numpy would add a spurious -1 here
    expect(() => sp('leading', 0)).toThrow(/positive integer/);
    expect(() => sp('leading', 1001)).toThrow(/cannot exceed/);
  });
});

describe('scheduler schedules', () => {
  const sd = STABLE_DIFFUSION_V1;
  it('DDIM leading 50 steps with steps_offset 1 starts at 981', () => {
    const s = createScheduler('ddim', sd);
    s.setTimesteps(50);
    expect(s.timesteps[0]).toBe(981);
    expect(s.timesteps).toHaveLength(50);
  });
  it('Euler linspace: fractional timesteps, sigma max 14.6146, init_noise_sigma rule', () => {
    const s = createScheduler('euler', sd);
    s.setTimesteps(20);
    expect(s.timesteps[0]).toBe(999);
    expect(s.timesteps[1]).toBeCloseTo(999 - 999 / 19, 3);
    expect(s.initNoiseSigma).toBeCloseTo(14.6146, 3);
    const lead = createScheduler('euler', { ...sd, timestepSpacing: 'leading' });
    lead.setTimesteps(20);
    expect(lead.timesteps[0]).toBe(951);
    const sigma951 = trainingSigmas(alphasCumprod(makeBetas(SD_BETAS)))[951];
    expect(lead.initNoiseSigma).toBeCloseTo(Math.sqrt(sigma951 ** 2 + 1), 3);
    const trail = createScheduler('euler', { ...sd, timestepSpacing: 'trailing' });
    trail.setTimesteps(4);
    expect(trail.initNoiseSigma).toBeCloseTo(14.6146, 3);
  });
  it('Euler Karras sigmas follow Karras et al. eq. (5) between the schedule ends', () => {
    const s = createScheduler('euler', { ...sd, useKarrasSigmas: true }) as import('../src/core/schedulers/euler.js').EulerScheduler;
    s.setTimesteps(10);
    const [max, min] = [14.614641, 0.0291675];
    const rho = 7;
    const expected = Array.from({ length: 10 }, (_, i) => (max ** (1 / rho) + (i / 9) * (min ** (1 / rho) - max ** (1 / rho))) ** rho);
    s.sigmas.slice(0, 10).forEach((v, i) => expect(v / expected[i]).toBeCloseTo(1, 4));
    expect(s.sigmas[10]).toBe(0);
    expect(s.timesteps[0]).toBeCloseTo(999, 3);
    expect(s.timesteps[9]).toBeCloseTo(0, 3);
  });
  it('DPM++ 2M Karras, 20 steps, as diffusers prints', () => {
    const s = createScheduler('dpmpp-2m', sd);
    s.setTimesteps(20);
    expect(s.timesteps).toEqual([999, 962, 921, 876, 827, 772, 710, 640, 561, 474, 380, 285, 197, 123, 69, 35, 15, 6, 2, 0]);
    const plain = createScheduler('dpmpp-2m', { ...sd, useKarrasSigmas: false });
    plain.setTimesteps(4);
    expect(plain.timesteps).toEqual([999, 749, 500, 250]); // linspace(0, 999, 5).round()[::-1][:-1]
  });
  it('PNDM repeats the second timestep (N + 1 UNet calls)', () => {
    const s = createScheduler('pndm', sd);
    s.setTimesteps(4);
    expect(s.timesteps).toEqual([751, 501, 501, 251, 1]);
    s.setTimesteps(1);
    expect(s.timesteps).toEqual([1]);
    s.setTimesteps(50);
    expect(s.timesteps).toHaveLength(51);
    expect(s.timesteps.slice(0, 4)).toEqual([981, 961, 961, 941]);
  });
  it('LCM subsamples the 50-step origin schedule', () => {
    const s = createScheduler('lcm', {});
    s.setTimesteps(4);
    expect(s.timesteps).toEqual([999, 759, 499, 259]);
    s.setTimesteps(1);
    expect(s.timesteps).toEqual([999]);
    s.setTimesteps(50);
    expect(s.timesteps.at(-1)).toBe(19);
    expect(() => s.setTimesteps(51)).toThrow(/originalInferenceSteps 50/);
  });
});
