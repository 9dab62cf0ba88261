/**
 * Single-step arithmetic of every scheduler against the paper formulas written out by hand, the
 * v-prediction identities, add_noise / noiseToStep levels, img2img start, errors and buffer reuse.
 */
import { describe, expect, it } from 'vitest';
import type { GaussianSource } from '../src/core/random.js';
import { alphasCumprod, makeBetas, trainingSigmas } from '../src/core/schedulers/betas.js';
import type { EulerScheduler } from '../src/core/schedulers/euler.js';
import type { DpmSolverPlusPlus2MScheduler } from '../src/core/schedulers/dpmpp-2m.js';
import { createScheduler, SCHEDULER_NAMES, STABLE_DIFFUSION_V1 } from '../src/core/schedulers/index.js';
import { SD_BETAS } from './scheduler-gaussian.js';

const sd = STABLE_DIFFUSION_V1;
const ac = alphasCumprod(makeBetas(SD_BETAS));
const x = Float32Array.from([0.3, -1.2, 2.5, 0.0]);
const e = Float32Array.from([0.1, 0.7, -0.4, 1.5]);
const z = Float32Array.from([0.25, -0.5, 1.0, -2.0]);

/** A GaussianSource that always yields `z` (so noisy steps can be checked by hand). */
const fixedNoise: GaussianSource = {
  fill: (out) => (out.set(z.subarray(0, out.length)), out),
  take: (n) => z.slice(0, n),
};

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, digits = 5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) expect(actual[i]).toBeCloseTo(expected[i], digits);
}
const map = (f: (i: number) => number) => Float32Array.from(x, (_, i) => f(i));

describe('DDIM (eq. (12))', () => {
  it('eta 0 step and final step to alpha_bar_0', () => {
    const s = createScheduler('ddim', sd);
    s.setTimesteps(50);
    const [a, ap] = [ac[981], ac[961]];
    const x0 = map((i) => (x[i] - Math.sqrt(1 - a) * e[i]) / Math.sqrt(a));
    const r = s.step(e, 0, x);
    close(r.predOriginalSample, x0);
    close(r.prevSample, map((i) => Math.sqrt(ap) * x0[i] + Math.sqrt(1 - ap) * e[i]));
    const last = s.step(e, 49, x); // t = 1 -> t = -19: final_alpha_cumprod = alpha_bar_0 (set_alpha_to_one false)
    const x0l = map((i) => (x[i] - Math.sqrt(1 - ac[1]) * e[i]) / Math.sqrt(ac[1]));
    close(last.prevSample, map((i) => Math.sqrt(ac[0]) * x0l[i] + Math.sqrt(1 - ac[0]) * e[i]));
  });
  it('eta 1 adds eq. (16) noise and needs a GaussianSource', () => {
    const s = createScheduler('ddim', { ...sd, eta: 1 });
    s.setTimesteps(50);
    expect(s.needsNoise).toBe(true);
    expect(() => s.step(e, 0, x)).toThrow(/GaussianSource/);
    const [a, ap] = [ac[981], ac[961]];
    const std = Math.sqrt(((1 - ap) / (1 - a)) * (1 - a / ap));
    const x0 = map((i) => (x[i] - Math.sqrt(1 - a) * e[i]) / Math.sqrt(a));
    const r = s.step(e, 0, x, fixedNoise);
    close(r.prevSample, map((i) => Math.sqrt(ap) * x0[i] + Math.sqrt(1 - ap - std * std) * e[i] + std * z[i]));
  });
  it('clips x0 when clipSample is on (diffusers DDIM default)', () => {
    const s = createScheduler('ddim', { ...sd, clipSample: true });
    s.setTimesteps(10);
    const r = s.step(e, 0, Float32Array.from([50, -50, 0.1, 0]));
    expect(Math.max(...r.predOriginalSample)).toBeLessThanOrEqual(1);
    expect(Math.min(...r.predOriginalSample)).toBeGreaterThanOrEqual(-1);
  });
});

describe('v-prediction identities (Salimans & Ho 2022)', () => {
  const x0 = Float32Array.from([0.5, -0.25, 1.0, -1.5]);
  for (const name of ['ddim', 'pndm', 'lcm', 'dpmpp-2m'] as const) {
    it(`${name}: v from a known (x0, eps) gives the same step as eps`, () => {
      const sv = createScheduler(name, { ...sd, predictionType: 'v_prediction' });
      const se = createScheduler(name, sd);
      sv.setTimesteps(10);
      se.setTimesteps(10);
      const t = sv.timesteps[0];
      const a = name === 'dpmpp-2m' ? 1 / (1 + (sv as DpmSolverPlusPlus2MScheduler).sigmas[0] ** 2) : ac[t];
      const xt = Float32Array.from(x0, (v, i) => Math.sqrt(a) * v + Math.sqrt(1 - a) * e[i]);
      const v = Float32Array.from(x0, (v0, i) => Math.sqrt(a) * e[i] - Math.sqrt(1 - a) * v0);
      const rv = sv.step(v, 0, xt, fixedNoise);
      const re = se.step(e, 0, xt, fixedNoise);
      close(rv.prevSample, re.prevSample, 4);
      if (name !== 'lcm') close(rv.predOriginalSample, x0, 4);
    });
  }
  it('euler: x0 = -sigma/sqrt(sigma^2+1) v + x/(sigma^2+1)', () => {
    const s = createScheduler('euler', { ...sd, predictionType: 'v_prediction' }) as EulerScheduler;
    s.setTimesteps(10);
    const sigma = s.sigmas[3];
    const a = 1 / (1 + sigma * sigma);
    const xs = Float32Array.from(x0, (v, i) => v + sigma * e[i]); // sigma space
    const v = Float32Array.from(x0, (v0, i) => Math.sqrt(a) * e[i] - Math.sqrt(1 - a) * v0);
    close(s.step(v, 3, xs).predOriginalSample, x0, 4);
  });
});

describe('Euler (Karras et al. 2022 Alg. 2) and Euler ancestral', () => {
  it('scaleModelInput, step and x0', () => {
    const s = createScheduler('euler', sd) as EulerScheduler;
    s.setTimesteps(20);
    const [sg, sn] = [s.sigmas[2], s.sigmas[3]];
    close(s.scaleModelInput(x, 2), map((i) => x[i] / Math.sqrt(sg * sg + 1)));
    const r = s.step(e, 2, x);
    close(r.predOriginalSample, map((i) => x[i] - sg * e[i]));
    close(r.prevSample, map((i) => x[i] + e[i] * (sn - sg)));
    close(s.step(e, 19, x).prevSample, map((i) => x[i] - s.sigmas[19] * e[i])); // to sigma 0: x0
  });
  it('ancestral: sigma_up / sigma_down split', () => {
    const s = createScheduler('euler-ancestral', sd) as EulerScheduler;
    s.setTimesteps(20);
    expect(() => s.step(e, 2, x)).toThrow(/GaussianSource/);
    const [sg, sn] = [s.sigmas[2], s.sigmas[3]];
    const up = Math.sqrt((sn ** 2 * (sg ** 2 - sn ** 2)) / sg ** 2);
    const down = Math.sqrt(sn ** 2 - up ** 2);
    close(s.step(e, 2, x, fixedNoise).prevSample, map((i) => x[i] + e[i] * (down - sg) + up * z[i]));
  });
});

describe('DPM-Solver++(2M) (Lu et al. 2022 Alg. 2)', () => {
  it('first order, then midpoint second order, then x0 at sigma 0', () => {
    const s = createScheduler('dpmpp-2m', sd) as DpmSolverPlusPlus2MScheduler;
    s.setTimesteps(5);
    const vp = (sg: number) => {
      const al = 1 / Math.sqrt(1 + sg * sg);
      return { al, sd: sg * al, lam: Math.log(al) - Math.log(sg * al) };
    };
    const [p0, p1, p2] = [vp(s.sigmas[0]), vp(s.sigmas[1]), vp(s.sigmas[2])];
    const d0 = map((i) => (x[i] - p0.sd * e[i]) / p0.al);
    const h0 = p1.lam - p0.lam;
    const r0 = s.step(e, 0, x);
    const x1 = map((i) => (p1.sd / p0.sd) * x[i] - p1.al * (Math.exp(-h0) - 1) * d0[i]);
    close(r0.prevSample, x1);
    const x1c = r0.prevSample.slice();
    const e2 = Float32Array.from(e, (v) => -0.5 * v);
    const d1 = map((i) => (x1c[i] - p1.sd * e2[i]) / p1.al);
    const h = p2.lam - p1.lam;
    const r = (p1.lam - p0.lam) / h;
    const r1 = s.step(e2, 1, x1c);
    close(r1.prevSample, map((i) => {
      const D1 = (d1[i] - d0[i]) / r;
      return (p2.sd / p1.sd) * x1c[i] - p2.al * (Math.exp(-h) - 1) * (d1[i] + 0.5 * D1);
    }));
    s.step(e, 2, x);
    s.step(e, 3, x);
    const last = s.step(e, 4, x);
    close(last.prevSample, last.predOriginalSample);
    expect(() => s.step(e, 1, x)).toThrow(/consecutive/);
  });
});

describe('PNDM / PLMS warm-up (Liu et al. 2022)', () => {
  it('follows diffusers step_plms for N = 4', () => {
    const s = createScheduler('pndm', sd);
    s.setTimesteps(4); // [751, 501, 501, 251, 1]
    const phi = (xx: Float32Array, ee: Float32Array, t: number, tp: number) => {
      const [a, ap] = [ac[t], tp >= 0 ? ac[tp] : ac[0]];
      const den = a * Math.sqrt(1 - ap) + Math.sqrt(a * (1 - a) * ap);
      return Float32Array.from(xx, (v, i) => Math.sqrt(ap / a) * v - ((ap - a) * ee[i]) / den);
    };
    const outs = [0.1, -0.2, 0.3, 0.05, -0.15].map((k) => Float32Array.from(e, (v, i) => v + k * (i + 1)));
    const comb = (w: number[], es: Float32Array[], d: number) => Float32Array.from(x, (_, i) => w.reduce((acc, wj, j) => acc + wj * es[j][i], 0) / d);
    let xs = x.slice();
    const s0 = s.step(outs[0], 0, xs).prevSample.slice();
    close(s0, phi(x, outs[0], 751, 501));
    const s1 = s.step(outs[1], 1, s0).prevSample.slice();
    close(s1, phi(x, comb([1, 1], [outs[1], outs[0]], 2), 751, 501)); // restarts from the first sample
    const s2 = s.step(outs[2], 2, s1).prevSample.slice();
    close(s2, phi(s1, comb([3, -1], [outs[2], outs[0]], 2), 501, 251));
    const s3 = s.step(outs[3], 3, s2).prevSample.slice();
    close(s3, phi(s2, comb([23, -16, 5], [outs[3], outs[2], outs[0]], 12), 251, 1));
    const s4 = s.step(outs[4], 4, s3).prevSample.slice();
    close(s4, phi(s3, comb([55, -59, 37, -9], [outs[4], outs[3], outs[2], outs[0]], 24), 1, -249));
    xs = s4;
    expect(xs.length).toBe(4);
  });
});

describe('LCM (Luo et al. 2023)', () => {
  it('boundary scalings, re-noising with fresh noise, plain denoised at the end', () => {
    const s = createScheduler('lcm', {});
    s.setTimesteps(4); // [999, 759, 499, 259]
    expect(() => s.step(e, 0, x)).toThrow(/GaussianSource/);
    const t = 999 * 10;
    const cSkip = 0.25 / (t * t + 0.25);
    const cOut = t / Math.sqrt(t * t + 0.25);
    const x0 = map((i) => (x[i] - Math.sqrt(1 - ac[999]) * e[i]) / Math.sqrt(ac[999]));
    const den = map((i) => cOut * x0[i] + cSkip * x[i]);
    const r = s.step(e, 0, x, fixedNoise);
    close(r.predOriginalSample, den);
    close(r.prevSample, map((i) => Math.sqrt(ac[759]) * den[i] + Math.sqrt(1 - ac[759]) * z[i]));
    const last = s.step(e, 3, x);
    close(last.prevSample, last.predOriginalSample);
  });
});

describe('addNoise, noiseToStep and img2img', () => {
  it('alpha-space and sigma-space forward processes', () => {
    const d = createScheduler('ddim', sd);
    d.setTimesteps(50);
    close(d.addNoise(x, z, 500), map((i) => Math.sqrt(ac[500]) * x[i] + Math.sqrt(1 - ac[500]) * z[i]));
    close(d.noiseToStep(x, z, 0), map((i) => Math.sqrt(ac[961]) * x[i] + Math.sqrt(1 - ac[961]) * z[i]));
    close(d.noiseToStep(x, z, 49), x);
    const eu = createScheduler('euler', sd) as EulerScheduler;
    eu.setTimesteps(20);
    close(eu.addNoise(x, z, eu.timesteps[5]), map((i) => x[i] + eu.sigmas[5] * z[i]));
    const sig = trainingSigmas(ac);
    close(eu.addNoise(x, z, 500), map((i) => x[i] + sig[500] * z[i]));
    close(eu.noiseToStep(x, z, 5), map((i) => x[i] + eu.sigmas[6] * z[i]));
    close(eu.noiseToStep(x, z, 19), x);
    const out = new Float32Array(4);
    expect(eu.noiseToStep(x, z, 3, out)).toBe(out);
  });
  it('noiseToStep matches the level the sample has after that step', () => {
    for (const name of ['dpmpp-2m', 'pndm', 'lcm'] as const) {
      const s = createScheduler(name, sd);
      s.setTimesteps(4);
      const n = s.timesteps.length;
      for (let i = 0; i < n - 1; i++) {
        const lvl = s.noiseToStep(Float32Array.of(1), Float32Array.of(0), i)[0]; // sqrt(alpha_bar) of that level
        if (name === 'pndm') expect(lvl).toBeCloseTo(Math.sqrt(ac[s.timesteps[i + 1]]), 6); // full run, leading
        else if (name === 'lcm') expect(lvl).toBeCloseTo(Math.sqrt(ac[s.timesteps[i + 1]]), 6);
        else expect(lvl).toBeCloseTo(1 / Math.sqrt(1 + (s as DpmSolverPlusPlus2MScheduler).sigmas[i + 1] ** 2), 6);
      }
      expect(s.noiseToStep(Float32Array.of(0.3), Float32Array.of(5), n - 1)[0]).toBeCloseTo(0.3, 6);
    }
  });
  it('img2imgStart follows diffusers (init = min(int(N * strength), N))', () => {
    const s = createScheduler('euler', sd);
    expect(() => s.img2imgStart(0.5)).toThrow(/setTimesteps/);
    s.setTimesteps(50);
    expect(s.img2imgStart(0.75)).toBe(13);
    expect(s.img2imgStart(1)).toBe(0);
    expect(() => s.img2imgStart(0.01)).toThrow(/no step to run/);
    expect(() => s.img2imgStart(0)).toThrow(/\(0, 1\]/);
  });
});

describe('contract', () => {
  it('step() before setTimesteps() throws clearly, for every scheduler', () => {
    for (const name of SCHEDULER_NAMES) {
      expect(() => createScheduler(name, sd).step(e, 0, x, fixedNoise)).toThrow(/setTimesteps/);
    }
  });
  it('prevSample can be fed back: outputs ping-pong and never alias the input', () => {
    for (const name of SCHEDULER_NAMES) {
      const s = createScheduler(name, sd);
      s.setTimesteps(6);
      let cur: Float32Array = x.slice();
      const seen = new Set<Float32Array>();
      for (let i = 0; i < s.timesteps.length; i++) {
        const r = s.step(e, i, cur, fixedNoise);
        expect(r.prevSample).not.toBe(cur);
        seen.add(r.prevSample);
        cur = r.prevSample;
      }
      expect(seen.size).toBeLessThanOrEqual(2);
      expect(() => s.step(e, 0, x.subarray(0, 2), fixedNoise)).toThrow(/values/);
    }
  });
});
