/**
 * A tiny stand-in for TAESD (madebyollin/taesd, the 1.2 M-parameter distilled SD VAE that preview
 * tools run instead of the full decoder; REFERENCE §10) for the toy model: scaled latents x0 [B,4,h,w]
 * (TAESD works in the UNet's latent space, diffusers' AutoencoderTiny has scaling_factor 1.0) ->
 * sample [B,3,8h,8w] in [-1, 1], so previews decoded with it look like the final picture. Like TAESD it
 * is convolutions with ReLU and then upsampling: y = A x (a seeded, well-conditioned 4x4), the 8
 * channels relu(y) || relu(-y), then W2 = M A^-1 [I, -I] which gives back M x exactly (relu(y) -
 * relu(-y) = y), M being the toy VAE decoder's colour map; float32 rounding makes it an approximation,
 * as a real TAESD is of its VAE. Deterministic: the weights come from SeededRandom.
 */
import { SeededRandom } from '../core/random.js';
import { OnnxGraphBuilder } from '../onnx/index.js';
import { LATENT_CHANNELS, LATENT_TO_RGB } from './toy-spec.js';

const TAESD_SEED = 0x7ae5d;

/** Inverse of a small square matrix by Gauss-Jordan with partial pivoting. */
function invert(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    const d = m[c][c];
    for (let k = 0; k < 2 * n; k++) m[c][k] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let k = 0; k < 2 * n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row) => row.slice(n));
}

/** The seeded first layer A (4x4): N(0, 0.3^2) entries on 2 I, far from singular. */
export function toyTaesdFirstLayer(): number[][] {
  const noise = new SeededRandom(TAESD_SEED).take(LATENT_CHANNELS * LATENT_CHANNELS);
  return Array.from({ length: LATENT_CHANNELS }, (_, i) =>
    Array.from({ length: LATENT_CHANNELS }, (_, j) => (i === j ? 2 : 0) + 0.3 * noise[i * LATENT_CHANNELS + j]));
}

/** latent_sample [B,4,h,w] (scaled, UNet space) -> sample [B,3,8h,8w]. */
export function buildToyTaesdDecoder(): Uint8Array {
  const a = toyTaesdFirstLayer();
  const aInv = invert(a);
  const c = LATENT_CHANNELS;
  const w1 = [...a.flat(), ...a.flat().map((v) => -v)]; // [2c, c]: A over -A
  const mAInv = LATENT_TO_RGB.map((row) => aInv[0].map((_, j) => row.reduce((acc, v, k) => acc + v * aInv[k][j], 0)));
  const w2 = mAInv.flatMap((row) => [...row, ...row.map((v) => -v)]); // [3, 2c]: M A^-1 [I, -I]
  const g = new OnnxGraphBuilder('toy_taesd_decoder');
  const z = g.input('latent_sample', 'float', ['batch', c, 'latent_height', 'latent_width']);
  const hidden = g.op('Relu', [g.op('Conv', [z, g.initializer('taesd_conv1', Float32Array.from(w1), [2 * c, c, 1, 1])])]);
  const rgb = g.op('Conv', [hidden, g.initializer('taesd_conv2', Float32Array.from(w2), [3, 2 * c, 1, 1])]);
  const up = g.op('Resize', [rgb, '', g.constFloat([1, 1, 8, 8])], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
  g.output(up, 'sample', 'float', ['batch', 3, 'height', 'width']);
  return g.serialize({ docString: 'Taleframe toy TAESD decoder: seeded conv-relu-conv equal to the toy VAE colour map, bilinear x8' });
}
