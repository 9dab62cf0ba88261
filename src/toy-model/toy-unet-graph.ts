/**
 * ONNX graph of the toy UNet: the exact denoiser of the prompt-conditioned Gaussian described in
 * toy-spec.ts and toy-reference.ts, built from ordinary ops so any latent size works (the cosine basis
 * of mu and the orthonormal DCT-II rows of the low band are computed in-graph from Shape(sample), so
 * width != height works too). `addToyDenoiser` writes the subgraph into any builder so the
 * bench UNet can reuse it; `buildToyUnet` makes a complete model with one of the timestep contracts
 * seen in the wild (float32 [B], int64 [B], float32 rank-0).
 */
import { OnnxGraphBuilder, type ExternalDataOptions } from '../onnx/index.js';
import type { ToyPrediction } from './toy-reference.js';
import {
  BASIS_FREQS, COMMON_NORM, LATENT_CHANNELS, LO_AMP, LO_FREQS, NORM_EPS, SPECIFICITY_SCALE, SPREAD_GAIN, SPREAD_GENERIC, SPREAD_HI,
  SPREAD_LO_MAX, SPREAD_LO_MIN, SPREAD_UNCOND, TOY_DIM, TRAIN_TIMESTEPS, trainSigmas, type ToyWeights,
} from './toy-spec.js';

export type TimestepContract = 'float' | 'int64' | 'scalar';

export interface ToyUnetOptions {
  timestep: TimestepContract;
  prediction: ToyPrediction;
  /** 9-channel inpainting input: concat(latents 4, mask 1 (1 = repaint), masked-image latents 4). */
  inpaint: boolean;
}

export interface DenoiserValues {
  /** The model output (eps or v) [B,4,h,w]. */
  output: string;
  /** The UNet-side timestep as float [B] (or [1]), for other subgraphs that embed it. */
  timestepFloat: string;
}

/** Adds the exact-denoiser subgraph reading `sample`, `timestep`, `hidden` and returns its values. */
export function addToyDenoiser(
  g: OnnxGraphBuilder, weights: ToyWeights, inputs: { sample: string; timestep: string; hidden: string },
  options: ToyUnetOptions,
): DenoiserValues {
  const K = BASIS_FREQS;
  // 1. pooled_n = r u / |u|, u = sum_s(hidden) + COMMON_NORM commonDir (the shared vector), r = |sum| /
  //    sqrt(|sum|^2 + eps^2) (1 for any prompt, 0 for ""): the prompt's direction, any sequence length.
  const sum = g.op('ReduceSum', [inputs.hidden, g.constInt64([1])], { keepdims: 0 });
  const sumSq = g.op('ReduceSumSquare', [sum], { axes: [1], keepdims: 1 });
  const rIn = g.op('Sqrt', [g.op('Div', [sumSq, g.op('Add', [sumSq, g.constFloat([NORM_EPS * NORM_EPS])])])]);
  const shared = Float32Array.from(weights.commonDir, (v) => v * COMMON_NORM);
  const u = g.op('Add', [sum, g.initializer('toy_common_vector', shared, [TOY_DIM])]);
  const uNorm = g.op('Sqrt', [g.op('ReduceSumSquare', [u], { axes: [1], keepdims: 1 })]);
  const pn = g.op('Mul', [rIn, g.op('Div', [u, uNorm])]);

  // 2. mu = sum_{ky,kx} c[ch,ky,kx] cos(pi ky (i+.5)/h) cos(pi kx (j+.5)/w), as two MatMuls.
  const coefFlat = g.op('MatMul', [pn, g.initializer('toy_projection', weights.projection, [TOY_DIM, LATENT_CHANNELS * K * K])]);
  const coef = g.op('Reshape', [coefFlat, g.constInt64([-1, LATENT_CHANNELS, K, K])]);
  const shape = g.op('Shape', [inputs.sample]);
  const freqs = g.constFloat(Array.from({ length: K }, (_, k) => Math.PI * k), [K, 1]);
  const basis = (axis: number) => {
    const n = g.op('Gather', [shape, g.constInt64([axis], [])], { axis: 0 });
    const idx = g.op('Cast', [g.op('Range', [g.constInt64([0], []), n, g.constInt64([1], [])])], { to: 1 });
    const pos = g.op('Div', [g.op('Add', [idx, g.constFloat([0.5])]), g.op('Cast', [n], { to: 1 })]);
    return g.op('Cos', [g.op('Mul', [freqs, g.op('Unsqueeze', [pos, g.constInt64([0])])])]); // [K, n]
  };
  const cy = basis(2);
  const cx = basis(3);
  const rows = g.op('MatMul', [coef, cx]); // [B,4,K,w]
  const mu = g.op('MatMul', [g.op('Transpose', [cy], { perm: [1, 0] }), rows]); // [h,K] @ [B,4,K,w]

  // 3. Low band: s_prompt = MIN + (MAX - MIN) sigmoid(gain * dir . pooled_n);
  //    s_cond = s_prompt + e (GENERIC - s_prompt), e = exp(-((|pn|^2 - (common . pn)^2) / q0)^2): broad
  //    near the shared direction; then blended toward SPREAD_UNCOND by r = |pooled_n| (1 for any
  //    non-empty prompt, 0 for ""): s = S_u + r (s_cond - S_u). One value per batch item, [B,1,1,1].
  //    High band: SPREAD_HI for every prompt.
  const z = g.op('MatMul', [pn, g.initializer('toy_spread_dir', weights.spreadDir, [TOY_DIM, 1])]);
  const sig01 = g.op('Sigmoid', [g.op('Mul', [z, g.constFloat([SPREAD_GAIN])])]);
  const r2 = g.op('ReduceSumSquare', [pn], { axes: [1], keepdims: 1 });
  const c = g.op('MatMul', [pn, g.initializer('toy_common_dir', weights.commonDir, [TOY_DIM, 1])]);
  const q = g.op('Mul', [g.op('Sub', [r2, g.op('Mul', [c, c])]), g.constFloat([1 / SPECIFICITY_SCALE])]);
  const generic = g.op('Exp', [g.op('Neg', [g.op('Mul', [q, q])])]);
  const r = g.op('Sqrt', [r2]);
  const uncond = g.constFloat([SPREAD_UNCOND]);
  const sPrompt = g.op('Add', [g.op('Mul', [sig01, g.constFloat([SPREAD_LO_MAX - SPREAD_LO_MIN])]), g.constFloat([SPREAD_LO_MIN])]);
  const sCond = g.op('Add', [sPrompt, g.op('Mul', [generic, g.op('Sub', [g.constFloat([SPREAD_GENERIC]), sPrompt])])]);
  const sLo = g.op('Reshape', [g.op('Add', [uncond, g.op('Mul', [r, g.op('Sub', [sCond, uncond])])]), g.constInt64([-1, 1, 1, 1])]);
  const sLo2 = g.op('Mul', [sLo, sLo]);
  const sHi2 = g.constFloat([SPREAD_HI * SPREAD_HI], [1, 1, 1, 1]); // the same for every prompt

  // 4. sigma(t): linear interpolation between floor(t) and ceil(t) of sqrt((1-a)/a), then a = 1/(1+sigma^2).
  const t = options.timestep === 'int64' ? g.op('Cast', [inputs.timestep], { to: 1 }) : inputs.timestep;
  const tFlat = g.op('Reshape', [t, g.constInt64([-1])]);
  const tc = g.op('Clip', [tFlat, g.constFloat([0], []), g.constFloat([TRAIN_TIMESTEPS - 1], [])]);
  const lo = g.op('Floor', [tc]);
  const sigmas = g.initializer('toy_sigmas', Float32Array.from(trainSigmas()), [TRAIN_TIMESTEPS]);
  const sigLo = g.op('Gather', [sigmas, g.op('Cast', [lo], { to: 7 })], { axis: 0 });
  const sigHi = g.op('Gather', [sigmas, g.op('Cast', [g.op('Ceil', [tc])], { to: 7 })], { axis: 0 });
  const sigT = g.op('Add', [sigLo, g.op('Mul', [g.op('Sub', [tc, lo]), g.op('Sub', [sigHi, sigLo])])]);
  const sigma = g.op('Reshape', [sigT, g.constInt64([-1, 1, 1, 1])]);
  const sigma2 = g.op('Mul', [sigma, sigma]);
  const sa = g.op('Sqrt', [g.op('Reciprocal', [g.op('Add', [sigma2, g.constFloat([1])])])]); // sqrt(a)
  const s1a = g.op('Mul', [sigma, sa]); // sqrt(1 - a) = sigma sqrt(a), without cancellation

  // 5. Low band: orthonormal DCT-II rows phi_k(i) = sqrt(c_k / n) cos(pi k (i+.5)/n) [LO_FREQS, n]
  //    (c_0 = 1, c_k = 2; rows k >= n zeroed, they alias) and eigenvalues lambda_k = s_lo^2 LO_AMP^2
  //    (n_y / c_ky)(n_x / c_kx), the variance of the unnormalised cosines' coefficients.
  const KL = LO_FREQS;
  const kIdx = g.constFloat(Array.from({ length: KL }, (_, k) => k), [KL, 1]);
  const cK = g.constFloat(Array.from({ length: KL }, (_, k) => (k === 0 ? 1 : 2)), [KL, 1]);
  const dct = (axis: number) => {
    const n = g.op('Cast', [g.op('Gather', [shape, g.constInt64([axis], [])], { axis: 0 })], { to: 1 });
    const idx = g.op('Cast', [g.op('Range', [g.constInt64([0], []), g.op('Gather', [shape, g.constInt64([axis], [])], { axis: 0 }), g.constInt64([1], [])])], { to: 1 });
    const pos = g.op('Div', [g.op('Add', [idx, g.constFloat([0.5])]), n]);
    const cos = g.op('Cos', [g.op('Mul', [g.op('Mul', [kIdx, g.constFloat([Math.PI])]), g.op('Unsqueeze', [pos, g.constInt64([0])])])]);
    const keep = g.op('Cast', [g.op('Less', [kIdx, n])], { to: 1 }); // [KL,1]: 1 for k < n
    const norm = g.op('Mul', [g.op('Sqrt', [g.op('Div', [cK, n])]), keep]);
    return { rows: g.op('Mul', [cos, norm]), eig: g.op('Div', [n, cK]) }; // rows [KL, n], n / c_k [KL, 1]
  };
  const dy = dct(2);
  const dx = dct(3);
  const eigGrid = g.op('Mul', [dy.eig, g.op('Transpose', [dx.eig], { perm: [1, 0] })]); // [KL, KL]
  const lambda = g.op('Mul', [g.op('Mul', [sLo2, g.constFloat([LO_AMP * LO_AMP])]), eigGrid]); // [B,1,KL,KL]

  // 6. x0_hat = mu + k(s_hi^2) r + phi^T [(k(lambda) - k(s_hi^2)) (phi r)], r = x - sqrt(a) mu, with
  //    k(l) = sqrt(a) l / (a l + 1 - a) = l / (sqrt(a) (l + sigma^2)) (the posterior-mean gain per eigenvalue).
  const slice = (from: number, to: number) =>
    g.op('Slice', [inputs.sample, g.constInt64([from]), g.constInt64([to]), g.constInt64([1])]);
  const x = options.inpaint ? slice(0, 4) : inputs.sample;
  const gainOf = (l: string) => g.op('Div', [l, g.op('Mul', [sa, g.op('Add', [l, sigma2])])]);
  const gainHi = gainOf(sHi2); // [B,1,1,1]
  const gainDiff = g.op('Sub', [gainOf(lambda), gainHi]); // [B,1,KL,KL]
  const resid = g.op('Sub', [x, g.op('Mul', [sa, mu])]);
  const coefLo = g.op('MatMul', [dy.rows, g.op('MatMul', [resid, g.op('Transpose', [dx.rows], { perm: [1, 0] })])]); // [B,4,KL,KL]
  const scaled = g.op('Mul', [coefLo, gainDiff]);
  const low = g.op('MatMul', [g.op('Transpose', [dy.rows], { perm: [1, 0] }), g.op('MatMul', [scaled, dx.rows])]); // [B,4,h,w]
  let x0 = g.op('Add', [g.op('Add', [mu, g.op('Mul', [gainHi, resid])]), low]);
  if (options.inpaint) {
    // Known pixels are certain: x0_hat = m x0_gauss + (1 - m) y = y + m (x0_gauss - y).
    const m = slice(4, 5);
    const y = slice(5, 9);
    x0 = g.op('Add', [y, g.op('Mul', [m, g.op('Sub', [x0, y])])]);
  }
  // 7. eps = (x - sqrt(a) x0_hat) / sqrt(1 - a); v = sqrt(a) eps - sqrt(1 - a) x0_hat.
  const eps = g.op('Div', [g.op('Sub', [x, g.op('Mul', [sa, x0])]), s1a]);
  const output = options.prediction === 'epsilon'
    ? eps
    : g.op('Sub', [g.op('Mul', [sa, eps]), g.op('Mul', [s1a, x0])]);
  return { output, timestepFloat: tc };
}

/** The complete toy UNet graph (not yet serialized). */
function toyUnetGraph(weights: ToyWeights, options: ToyUnetOptions): OnnxGraphBuilder {
  const g = new OnnxGraphBuilder('toy_unet');
  const channels = options.inpaint ? 9 : LATENT_CHANNELS;
  const sample = g.input('sample', 'float', ['batch', channels, 'height', 'width']);
  const timestep = options.timestep === 'int64'
    ? g.input('timestep', 'int64', ['batch'])
    : g.input('timestep', 'float', options.timestep === 'scalar' ? [] : ['batch']);
  const hidden = g.input('encoder_hidden_states', 'float', ['batch', 'sequence', TOY_DIM]);
  const { output } = addToyDenoiser(g, weights, { sample, timestep, hidden }, options);
  g.output(output, 'out_sample', 'float', ['batch', LATENT_CHANNELS, 'height', 'width']);
  return g;
}

const docString = (options: ToyUnetOptions) => `Taleframe toy UNet: exact Gaussian denoiser (${options.prediction})`;

/** The complete toy UNet model (bytes). */
export function buildToyUnet(weights: ToyWeights, options: ToyUnetOptions): Uint8Array {
  return toyUnetGraph(weights, options).serialize({ docString: docString(options) });
}

/**
 * The same toy UNet with its weights in an external data file, as big UNets ship (diffusers:
 * unet/weights.pb, optimum: unet/model.onnx_data; REFERENCE §1). Same graph, same numbers.
 */
export function buildToyUnetExternal(weights: ToyWeights, options: ToyUnetOptions, external: ExternalDataOptions): { model: Uint8Array; data: Uint8Array } {
  return toyUnetGraph(weights, options).serializeWithExternalData(external, { docString: docString(options) });
}
