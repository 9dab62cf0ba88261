/**
 * Ridge regression and its cross-validation on synthetic data whose answer is known: a linear map
 * without noise (CV must pick the smallest lambda and recover the map), pure noise targets (CV must
 * shrink to the mean curve), and the dual solve agreeing with the primal normal equations.
 */
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../src/core/random.js';
import { cholesky, choleskySolve, crossValidateRidge, fitRidge, predictRidge } from '../src/core/budget/ridge.js';

function rows(n: number, d: number, seed: number, scale = 1, offset = 0): number[][] {
  const r = new SeededRandom(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => offset + scale * r.nextGaussian()));
}

describe('cholesky', () => {
  it('solves a known 3x3 system', () => {
    // A = [[4,2,0],[2,5,1],[0,1,3]], x = [1,-1,2] -> b = A x = [2, -1, 5]
    const a = Float64Array.from([4, 2, 0, 2, 5, 1, 0, 1, 3]);
    const x = choleskySolve(cholesky(a, 3), 3, Float64Array.from([2, -1, 5]), 1);
    expect(Array.from(x).map((v) => Number(v.toFixed(12)))).toEqual([1, -1, 2]);
  });

  it('refuses a matrix that is not positive definite', () => {
    expect(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/positive definite/);
  });
});

describe('fitRidge', () => {
  it('recovers a linear map (in raw feature units) when lambda is tiny', () => {
    const x = rows(200, 4, 1, 3, 10); // raw features with mean 10, sd 3: standardisation must undo this
    const w = [[0.5, -1, 0, 2], [0, 0.25, 1, -0.5]];
    const b = [0.3, -2];
    const y = x.map((r) => w.map((wg, g) => b[g] + wg.reduce((s, v, d) => s + v * r[d], 0)));
    const fit = fitRidge(x, y, 1e-8);
    for (let g = 0; g < 2; g++) {
      for (let d = 0; d < 4; d++) {
        expect(fit.weights[g][d] / fit.standardisation.std[d]).toBeCloseTo(w[g][d], 6);
      }
    }
    expect(predictRidge(fit, [10, 10, 10, 10])[0]).toBeCloseTo(0.3 + 10 * 1.5, 6);
  });

  it('the dual solve (more features than rows) equals (Z^T Z + lambda I)^-1 Z^T y', () => {
    const x = rows(6, 9, 2);
    const y = rows(6, 1, 3);
    const lambda = 0.7;
    const fit = fitRidge(x, y, lambda);
    // Primal normal equations built here from the standardised rows the fit reports.
    const { mean, std } = fit.standardisation;
    const z = x.map((r) => r.map((v, d) => (v - mean[d]) / std[d]));
    const ybar = y.reduce((s, r) => s + r[0], 0) / y.length;
    const a = new Float64Array(81);
    const rhs = new Float64Array(9);
    for (let i = 0; i < 6; i++) {
      for (let p = 0; p < 9; p++) {
        rhs[p] += z[i][p] * (y[i][0] - ybar);
        for (let q = 0; q < 9; q++) a[p * 9 + q] += z[i][p] * z[i][q];
      }
    }
    for (let p = 0; p < 9; p++) a[p * 9 + p] += lambda;
    const primal = choleskySolve(cholesky(a, 9), 9, rhs, 1);
    for (let p = 0; p < 9; p++) expect(fit.weights[0][p]).toBeCloseTo(primal[p], 9);
    expect(fit.intercept[0]).toBeCloseTo(ybar, 12);
  });
});

describe('crossValidateRidge', () => {
  it('picks the smallest lambda for noise-free linear data', () => {
    const x = rows(60, 5, 4);
    const y = x.map((r) => [r[0] - 2 * r[3], 3 * r[1] + 1]);
    const cv = crossValidateRidge(x, y, { lambdas: [1e-4, 1e-2, 1, 100, 1e4], folds: 5 });
    expect(cv.lambda).toBe(1e-4);
    expect(cv.errors[0]).toBeLessThan(1e-6);
    expect(cv.outOfFold).toHaveLength(60);
    expect(cv.outOfFold[7][0]).toBeCloseTo(y[7][0], 3);
  });

  it('picks the largest lambda when the targets are unrelated noise', () => {
    const x = rows(60, 20, 5);
    const y = rows(60, 3, 6);
    const cv = crossValidateRidge(x, y, { lambdas: [1e-2, 1, 1e2, 1e5], folds: 5 });
    expect(cv.lambda).toBe(1e5);
  });

  it('lands in between for a noisy linear map and beats predicting the mean', () => {
    const x = rows(120, 10, 7);
    const r = new SeededRandom(8);
    const y = x.map((row) => [row[0] + 0.5 * row[1] + 0.8 * r.nextGaussian()]);
    const cv = crossValidateRidge(x, y, { folds: 4 });
    expect(cv.lambda).toBeGreaterThan(0.01);
    expect(cv.lambda).toBeLessThan(1e5);
    const variance = y.reduce((s, v) => s + v[0] ** 2, 0) / y.length;
    expect(Math.min(...cv.errors)).toBeLessThan(variance * 0.6);
  });
});
