/**
 * RGB bytes <-> the VAE's tensors. The VAE works on NCHW float images in [-1, 1]; diffusers maps
 * pixels as x = 2 * p / 255 - 1 on the way in and p = round(255 * clip(x / 2 + 0.5, 0, 1)) on the
 * way out (VaeImageProcessor.normalize / denormalize + numpy_to_pil). Mirroring it exactly keeps our
 * images byte-comparable with diffusers' for the same decoded tensor.
 */
import { createRgb, type RgbImage } from '../core/image.js';

/** Interleaved RGB bytes -> planar [3, H, W] floats in [-1, 1]. */
export function rgbToPlanar(image: RgbImage): Float32Array {
  const plane = image.width * image.height;
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) out[c * plane + p] = (image.data[p * 3 + c] / 255) * 2 - 1;
  }
  return out;
}

/** Planar [3, H, W] floats in [-1, 1] -> interleaved RGB bytes. */
export function planarToRgb(planar: Float32Array, width: number, height: number): RgbImage {
  const image = createRgb(width, height);
  const plane = width * height;
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const v = planar[c * plane + p] / 2 + 0.5;
      image.data[p * 3 + c] = Math.round(255 * (v < 0 ? 0 : v > 1 ? 1 : v));
    }
  }
  return image;
}
