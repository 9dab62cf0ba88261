/**
 * A benchmark UNet: the toy UNet's contract (sample [B,4,h,w], float timestep [B], encoder_hidden_states
 * [B,77,D] -> out_sample) with the op mix of a real Stable Diffusion UNet at a tiny width: sinusoidal
 * timestep embedding + MLP, conv res-blocks with GroupNorm + SiLU and a per-block timestep projection,
 * cross-attention to the text states, strided-conv downsampling, nearest x2 upsampling and skip
 * concatenations (Ho et al. 2020; Rombach et al. 2022, Fig. 3). Weights are seeded random (He-scaled),
 * so its own output is meaningless: it is added, scaled by OUT_SCALE, to the exact toy denoiser, which
 * keeps the pictures sensible while the timing stays that of a real network shape.
 */
import { SeededRandom } from '../core/random.js';
import { float, OnnxGraphBuilder } from '../onnx/index.js';
import { addToyDenoiser } from './toy-unet-graph.js';
import { LATENT_CHANNELS, TOY_DIM, type ToyWeights } from './toy-spec.js';

/** Channel widths per resolution level (64x64, 32x32, 16x16 for 512 px images). */
export const BENCH_WIDTHS = [32, 64, 128] as const;
const GROUPS = 8;
const TIME_DIM = 128;
/** How much of the random network's output is added to the exact denoiser. */
const OUT_SCALE = 0.01;

class BenchNet {
  private readonly rng = new SeededRandom(0xbe9c_0001);
  private n = 0;

  constructor(private readonly g: OnnxGraphBuilder) {}

  /** A seeded weight ~ N(0, gain^2 / fanIn). */
  weight(dims: number[], fanIn: number, gain = Math.SQRT2): string {
    const data = this.rng.take(dims.reduce((a, b) => a * b, 1));
    const std = gain / Math.sqrt(fanIn);
    data.forEach((v, i) => (data[i] = v * std));
    return this.g.initializer(`bench_w${this.n++}`, data, dims);
  }

  conv(x: string, cin: number, cout: number, k: number, stride = 1, gain = Math.SQRT2): string {
    const pad = (k - 1) >> 1;
    return this.g.op('Conv', [x, this.weight([cout, cin, k, k], cin * k * k, gain), this.g.constFloat(new Float32Array(cout))], {
      kernel_shape: [k, k], pads: [pad, pad, pad, pad], strides: [stride, stride],
    });
  }

  /** GroupNorm as exported by PyTorch for opset < 18: InstanceNormalization over [B, G, C/G*h*w]. */
  groupNorm(x: string, channels: number): string {
    const g = this.g;
    const grouped = g.op('Reshape', [x, g.constInt64([0, GROUPS, -1])]);
    const normed = g.op('InstanceNormalization', [grouped, g.constFloat(new Float32Array(GROUPS).fill(1)), g.constFloat(new Float32Array(GROUPS))], { epsilon: float(1e-5) });
    const back = g.op('Reshape', [normed, g.op('Shape', [x])]);
    return g.op('Add', [g.op('Mul', [back, g.constFloat(new Float32Array(channels).fill(1), [channels, 1, 1])]), g.constFloat(new Float32Array(channels), [channels, 1, 1])]);
  }

  silu(x: string): string {
    return this.g.op('Mul', [x, this.g.op('Sigmoid', [x])]);
  }

  resBlock(x: string, cin: number, cout: number, temb: string): string {
    const g = this.g;
    let h = this.conv(this.silu(this.groupNorm(x, cin)), cin, cout, 3);
    const t = g.op('MatMul', [this.silu(temb), this.weight([TIME_DIM, cout], TIME_DIM, 1)]);
    h = g.op('Add', [h, g.op('Unsqueeze', [t, g.constInt64([2, 3])])]);
    h = this.conv(this.silu(this.groupNorm(h, cout)), cout, cout, 3, 1, 0.5);
    const skip = cin === cout ? x : this.conv(x, cin, cout, 1, 1, 1);
    return g.op('Add', [skip, h]);
  }

  /** Single-head cross-attention: softmax(Q K^T / sqrt(C)) V with Q from pixels, K, V from text. */
  crossAttention(x: string, channels: number, text: string): string {
    const g = this.g;
    const tokens = g.op('Transpose', [g.op('Reshape', [this.groupNorm(x, channels), g.constInt64([0, channels, -1])])], { perm: [0, 2, 1] });
    const q = g.op('MatMul', [tokens, this.weight([channels, channels], channels, 1)]);
    const k = g.op('MatMul', [text, this.weight([TOY_DIM, channels], TOY_DIM, 1)]);
    const v = g.op('MatMul', [text, this.weight([TOY_DIM, channels], TOY_DIM, 1)]);
    const scores = g.op('Mul', [g.op('MatMul', [q, g.op('Transpose', [k], { perm: [0, 2, 1] })]), g.constFloat([1 / Math.sqrt(channels)])]);
    const attended = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]);
    const out = g.op('MatMul', [attended, this.weight([channels, channels], channels, 0.5)]);
    const back = g.op('Reshape', [g.op('Transpose', [out], { perm: [0, 2, 1] }), g.op('Shape', [x])]);
    return g.op('Add', [x, back]);
  }

  /** Sinusoidal embedding of t (Vaswani et al. 2017, as in DDPM) then Linear-SiLU-Linear. */
  timeEmbedding(t: string): string {
    const g = this.g;
    const half = 32;
    const freqs = Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half));
    const args = g.op('Mul', [g.op('Unsqueeze', [t, g.constInt64([1])]), g.constFloat(freqs, [1, half])]);
    const emb = g.op('Concat', [g.op('Sin', [args]), g.op('Cos', [args])], { axis: 1 });
    const h = this.silu(g.op('MatMul', [emb, this.weight([2 * half, TIME_DIM], 2 * half)]));
    return g.op('MatMul', [h, this.weight([TIME_DIM, TIME_DIM], TIME_DIM)]);
  }

  upsample(x: string): string {
    return this.g.op('Resize', [x, '', this.g.constFloat([1, 1, 2, 2])], { mode: 'nearest' });
  }
}

/** The bench UNet model (bytes); `widths` sets the channels per level. */
export function buildBenchUnet(weights: ToyWeights, widths: readonly number[] = BENCH_WIDTHS): Uint8Array {
  const g = new OnnxGraphBuilder('bench_unet');
  const sample = g.input('sample', 'float', ['batch', LATENT_CHANNELS, 'height', 'width']);
  const timestep = g.input('timestep', 'float', ['batch']);
  const text = g.input('encoder_hidden_states', 'float', ['batch', 'sequence', TOY_DIM]);
  const exact = addToyDenoiser(g, weights, { sample, timestep, hidden: text }, { timestep: 'float', prediction: 'epsilon', inpaint: false });
  const net = new BenchNet(g);
  const [c0, c1, c2] = widths;
  const temb = net.timeEmbedding(exact.timestepFloat);
  const skip0 = net.resBlock(net.conv(sample, LATENT_CHANNELS, c0, 3), c0, c0, temb);
  const skip1 = net.crossAttention(net.resBlock(net.conv(skip0, c0, c1, 3, 2), c1, c1, temb), c1, text);
  let h = net.crossAttention(net.resBlock(net.conv(skip1, c1, c2, 3, 2), c2, c2, temb), c2, text);
  h = net.crossAttention(net.resBlock(h, c2, c2, temb), c2, text);
  h = net.conv(net.upsample(h), c2, c1, 3);
  h = net.crossAttention(net.resBlock(g.op('Concat', [h, skip1], { axis: 1 }), 2 * c1, c1, temb), c1, text);
  h = net.conv(net.upsample(h), c1, c0, 3);
  h = net.resBlock(g.op('Concat', [h, skip0], { axis: 1 }), 2 * c0, c0, temb);
  const residual = net.conv(net.silu(net.groupNorm(h, c0)), c0, LATENT_CHANNELS, 3, 1, OUT_SCALE);
  const out = g.op('Add', [exact.output, residual]);
  g.output(out, 'out_sample', 'float', ['batch', LATENT_CHANNELS, 'height', 'width']);
  return g.serialize({ docString: `Taleframe bench UNet: exact toy denoiser + seeded random UNet (widths ${widths.join('/')})` });
}
