/**
 * Ridge regression, the predictor behind step budgets: from a prompt's pooled text encoding (a few
 * hundred numbers) to a whole metric curve (one value per step count of the calibration grid). A
 * linear map is what a few hundred calibration prompts can support; BudgetFusion (arXiv 2412.05780)
 * uses a BiLSTM trained on 18k prompts, which we do not have.
 *
 * Features are standardised (zero mean, unit variance per dimension, fitted on the training rows) and
 * targets centred, so the intercept is the mean curve and lambda means the same thing for every model.
 * Closed form (Hoerl & Kennard 1970): W = (Z^T Z + lambda I)^-1 Z^T Y, solved by Cholesky; when there
 * are more dimensions than prompts we solve the equivalent dual W = Z^T (Z Z^T + lambda I)^-1 Y, which
 * is the same answer through an N x N system. Lambda is chosen by k-fold cross-validation.
 */

export interface Standardisation {
  mean: number[];
  /** Per-dimension standard deviation; dimensions that never vary get 1 so they contribute 0. */
  std: number[];
}

export interface RidgeFit {
  lambda: number;
  standardisation: Standardisation;
  /** Mean target per output (the prediction for an average prompt). */
  intercept: number[];
  /** weights[g][d]: output g, standardised feature d. */
  weights: number[][];
}

export function fitStandardisation(rows: ArrayLike<number>[]): Standardisation {
  if (rows.length === 0) throw new RangeError('cannot standardise zero rows');
  const d = rows[0].length;
  const mean = new Array<number>(d).fill(0);
  const sq = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[j];
  for (let j = 0; j < d; j++) mean[j] /= rows.length;
  for (const r of rows) for (let j = 0; j < d; j++) sq[j] += (r[j] - mean[j]) ** 2;
  const std = sq.map((s) => {
    const v = Math.sqrt(s / rows.length);
    return v > 1e-12 ? v : 1;
  });
  return { mean, std };
}

export function standardise(x: ArrayLike<number>, s: Standardisation): number[] {
  if (x.length !== s.mean.length) throw new RangeError(`feature length ${x.length} is not ${s.mean.length}`);
  const out = new Array<number>(x.length);
  for (let j = 0; j < x.length; j++) out[j] = (x[j] - s.mean[j]) / s.std[j];
  return out;
}

/** Lower-triangular L with A = L L^T for a symmetric positive-definite n x n row-major A. */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`matrix is not positive definite (pivot ${i} = ${s})`);
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j];
      }
    }
  }
  return l;
}

/** Solves A X = B given A's Cholesky factor L; B is n x m row-major, returns X (n x m). */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array, m: number): Float64Array {
  const x = Float64Array.from(b);
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < n; i++) {
      let s = x[i * m + c];
      for (let k = 0; k < i; k++) s -= l[i * n + k] * x[k * m + c];
      x[i * m + c] = s / l[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i * m + c];
      for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k * m + c];
      x[i * m + c] = s / l[i * n + i];
    }
  }
  return x;
}

/** Fits ridge on raw feature rows X (N x D) and targets Y (N x G). */
export function fitRidge(x: ArrayLike<number>[], y: number[][], lambda: number): RidgeFit {
  const n = x.length;
  if (n === 0 || y.length !== n) throw new RangeError(`need matching rows: ${n} features, ${y.length} targets`);
  if (!(lambda > 0)) throw new RangeError(`lambda ${lambda} must be > 0`);
  const standardisation = fitStandardisation(x);
  const z = x.map((r) => standardise(r, standardisation));
  const d = z[0].length;
  const g = y[0].length;
  const intercept = new Array<number>(g).fill(0);
  for (const r of y) for (let c = 0; c < g; c++) intercept[c] += r[c] / n;
  const yc = new Float64Array(n * g);
  for (let i = 0; i < n; i++) for (let c = 0; c < g; c++) yc[i * g + c] = y[i][c] - intercept[c];
  const w = Array.from({ length: g }, () => new Array<number>(d).fill(0));
  if (d <= n) {
    // Primal: (Z^T Z + lambda I) W = Z^T Yc, a D x D system.
    const a = new Float64Array(d * d);
    const rhs = new Float64Array(d * g);
    for (let i = 0; i < n; i++) {
      const zi = z[i];
      for (let p = 0; p < d; p++) {
        const v = zi[p];
        if (v === 0) continue;
        for (let q = 0; q <= p; q++) a[p * d + q] += v * zi[q];
        for (let c = 0; c < g; c++) rhs[p * g + c] += v * yc[i * g + c];
      }
    }
    for (let p = 0; p < d; p++) {
      for (let q = 0; q < p; q++) a[q * d + p] = a[p * d + q];
      a[p * d + p] += lambda;
    }
    const sol = choleskySolve(cholesky(a, d), d, rhs, g);
    for (let p = 0; p < d; p++) for (let c = 0; c < g; c++) w[c][p] = sol[p * g + c];
  } else {
    // Dual: alpha = (Z Z^T + lambda I)^-1 Yc, W = Z^T alpha, an N x N system.
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let p = 0; p < d; p++) s += z[i][p] * z[j][p];
        k[i * n + j] = s;
        k[j * n + i] = s;
      }
      k[i * n + i] += lambda;
    }
    const alpha = choleskySolve(cholesky(k, n), n, yc, g);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < g; c++) {
        const a = alpha[i * g + c];
        for (let p = 0; p < d; p++) w[c][p] += z[i][p] * a;
      }
    }
  }
  return { lambda, standardisation, intercept, weights: w };
}

/** Predicted curve for one raw feature vector. */
export function predictRidge(fit: Pick<RidgeFit, 'standardisation' | 'intercept' | 'weights'>, x: ArrayLike<number>): number[] {
  const z = standardise(x, fit.standardisation);
  return fit.intercept.map((b, c) => {
    let s = b;
    const wc = fit.weights[c];
    for (let p = 0; p < z.length; p++) s += wc[p] * z[p];
    return s;
  });
}

export interface CrossValidationOptions {
  /** Candidate lambdas; default 10^-2 .. 10^5 in half-decades. */
  lambdas?: number[];
  /** Number of folds (capped at N). Default 5. */
  folds?: number;
}

export interface CrossValidation {
  lambda: number;
  lambdas: number[];
  /** Mean squared error over all held-out rows and outputs, per candidate lambda. */
  errors: number[];
  /** Held-out prediction for every row, at the chosen lambda. */
  outOfFold: number[][];
}

export const DEFAULT_LAMBDAS: readonly number[] = Array.from({ length: 15 }, (_, i) => 10 ** (-2 + i / 2));

/** Fold of row i: rows are dealt round-robin, so the split is deterministic and balanced. */
export function foldOf(i: number, folds: number): number {
  return i % folds;
}

/** Picks lambda by k-fold CV (each fold standardised on its own training rows). */
export function crossValidateRidge(x: ArrayLike<number>[], y: number[][], options: CrossValidationOptions = {}): CrossValidation {
  const lambdas = options.lambdas ?? [...DEFAULT_LAMBDAS];
  const folds = Math.min(options.folds ?? 5, x.length);
  if (folds < 2) throw new RangeError(`cross-validation needs at least 2 rows, got ${x.length}`);
  const errors = new Array<number>(lambdas.length).fill(0);
  const predictions = lambdas.map(() => new Array<number[]>(x.length));
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < x.length; i++) (foldOf(i, folds) === f ? test : train).push(i);
    lambdas.forEach((lambda, li) => {
      const fit = fitRidge(train.map((i) => x[i]), train.map((i) => y[i]), lambda);
      for (const i of test) {
        const p = predictRidge(fit, x[i]);
        predictions[li][i] = p;
        for (let c = 0; c < p.length; c++) errors[li] += (p[c] - y[i][c]) ** 2;
      }
    });
  }
  const count = x.length * y[0].length;
  for (let li = 0; li < errors.length; li++) errors[li] /= count;
  let best = 0;
  for (let li = 1; li < errors.length; li++) if (errors[li] < errors[best]) best = li;
  return { lambda: lambdas[best], lambdas, errors, outOfFold: predictions[best] };
}
