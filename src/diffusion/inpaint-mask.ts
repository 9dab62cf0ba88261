/**
 * Masks for inpainting (REFERENCE §3). The pixel mask (255 = repaint) is brought to latent
 * resolution by nearest-neighbour sampling, as torch.nn.functional.interpolate's default does in
 * diffusers (source index floor(dst * 8)), and binarized at 0.5. After decoding, the result is
 * composited over the source in pixel space with a feathered alpha that only fades *inward* from the
 * mask edge: alpha = binary mask * box-blurred mask. Every pixel outside the mask therefore gets
 * alpha exactly 0 and keeps the source's bytes, while the seam inside the mask is softened.
 */
import { createRgb, type GrayImage, type RgbImage } from '../core/image.js';

/** Feather radius in pixels (a (2r+1)^2 box blur). */
export const FEATHER_RADIUS = 3;

/** [h * w] of 0 / 1 (1 = repaint) from a full-size pixel mask. */
export function latentMask(mask: GrayImage, h: number, w: number): Float32Array {
  const out = new Float32Array(h * w);
  const sy = mask.height / h;
  const sx = mask.width / w;
  for (let y = 0; y < h; y++) {
    const my = Math.min(mask.height - 1, Math.floor(y * sy));
    for (let x = 0; x < w; x++) {
      const mx = Math.min(mask.width - 1, Math.floor(x * sx));
      out[y * w + x] = mask.data[my * mask.width + mx] >= 128 ? 1 : 0;
    }
  }
  return out;
}

/**
 * diffusers' masked_image for 9-channel UNets: the source as planar [3, H, W] floats in [-1, 1] with
 * repaint pixels set to 0 (image * (mask < 0.5)). Modifies and returns `planar`.
 */
export function blankMaskedPixels(planar: Float32Array, mask: GrayImage): Float32Array {
  const plane = mask.width * mask.height;
  for (let p = 0; p < plane; p++) {
    if (mask.data[p] >= 128) for (let c = 0; c < 3; c++) planar[c * plane + p] = 0;
  }
  return planar;
}

/** One pass of a 1-D box blur of radius r along rows (stride 1) or columns (stride width). */
function boxBlur(src: Float32Array, width: number, height: number, r: number, horizontal: boolean): Float32Array {
  const out = new Float32Array(src.length);
  const [lines, length] = horizontal ? [height, width] : [width, height];
  for (let line = 0; line < lines; line++) {
    const at = (i: number) => (horizontal ? line * width + i : i * width + line);
    for (let i = 0; i < length; i++) {
      let sum = 0;
      // Edge pixels repeat (clamp), so a mask touching the border stays solid there.
      for (let k = -r; k <= r; k++) sum += src[at(Math.min(length - 1, Math.max(0, i + k)))];
      out[at(i)] = sum / (2 * r + 1);
    }
  }
  return out;
}

/** Alpha in [0, 1] per pixel: 0 outside the mask exactly, fading in over `radius` pixels inside it. */
export function featheredAlpha(mask: GrayImage, radius = FEATHER_RADIUS): Float32Array {
  const binary = Float32Array.from(mask.data, (v) => (v >= 128 ? 1 : 0));
  if (radius <= 0) return binary;
  const blurred = boxBlur(boxBlur(binary, mask.width, mask.height, radius, true), mask.width, mask.height, radius, false);
  for (let p = 0; p < binary.length; p++) binary[p] *= blurred[p];
  return binary;
}

/** Decoded image over the source through the feathered mask; unmasked pixels are the source's bytes. */
export function compositeOverSource(decoded: RgbImage, source: RgbImage, alpha: Float32Array): RgbImage {
  const out = createRgb(source.width, source.height);
  for (let p = 0; p < alpha.length; p++) {
    const a = alpha[p];
    for (let c = 0; c < 3; c++) {
      const i = p * 3 + c;
      out.data[i] = a === 0 ? source.data[i] : Math.round(source.data[i] + (decoded.data[i] - source.data[i]) * a);
    }
  }
  return out;
}
