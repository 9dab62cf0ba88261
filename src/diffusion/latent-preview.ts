/**
 * Cheap step previews: the x0 prediction of each variant mapped to RGB by the widely used SD1.x
 * linear latent -> RGB approximation (REFERENCE §10), rgb = sum_c latent_c * M[c] in [-1, 1], then
 * to bytes as (x + 1) / 2. No VAE call, so a preview costs microseconds; variants are tiled into one
 * small image at latent resolution (H/8 x W/8 each), which Discord can show as a progress thumbnail.
 */
import { createRgb, type RgbImage } from '../core/image.js';

/** Rows per latent channel: contribution to [R, G, B]. */
export const SD1_LATENT_RGB: readonly (readonly [number, number, number])[] = [
  [0.298, 0.207, 0.208],
  [0.187, 0.286, 0.173],
  [-0.158, 0.189, 0.264],
  [-0.184, -0.271, -0.473],
];

/**
 * Preview of `count` latents [count, 4, h, w] tiled in a grid of ceil(sqrt(count)) columns.
 * @example latentPreview(x0, 4, 8, 8) // 16 x 16 px, four 8 x 8 tiles
 */
export function latentPreview(latents: Float32Array, count: number, h: number, w: number): RgbImage {
  const cols = Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / cols);
  const image = createRgb(cols * w, rows * h);
  const plane = h * w;
  for (let v = 0; v < count; v++) {
    const base = v * 4 * plane;
    const ox = (v % cols) * w;
    const oy = Math.floor(v / cols) * h;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        const o = ((oy + y) * image.width + ox + x) * 3;
        for (let k = 0; k < 3; k++) {
          let sum = 0;
          for (let c = 0; c < 4; c++) sum += latents[base + c * plane + p] * SD1_LATENT_RGB[c][k];
          image.data[o + k] = Math.max(0, Math.min(255, Math.round(((sum + 1) / 2) * 255)));
        }
      }
    }
  }
  return image;
}
