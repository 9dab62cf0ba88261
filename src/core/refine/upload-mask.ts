/**
 * A member's uploaded image -> an inpaint mask. Two kinds are accepted: a black-and-white mask
 * (white = repaint) and a copy of the draft painted over in a bright colour (the painted pixels are
 * repainted). Which one it is follows from the pixels: a mask is nearly all pure black or white grey
 * levels; anything else is compared with the draft variant it was painted on. Pure: the adapter
 * decodes and resizes the upload to the draft's size first.
 */
import type { GrayImage, RgbImage } from '../image.js';

export type UploadMaskKind = 'mask' | 'painted';

export interface UploadMask {
  kind: UploadMaskKind;
  mask: GrayImage;
  /** Share of pixels to repaint, 0..1. */
  coverage: number;
}

/** True when at least 97% of the pixels are grey (r≈g≈b) and near black or near white. */
export function looksLikeMask(image: RgbImage): boolean {
  const n = image.width * image.height;
  let binary = 0;
  for (let i = 0; i < n; i++) {
    const r = image.data[i * 3]!, g = image.data[i * 3 + 1]!, b = image.data[i * 3 + 2]!;
    const grey = Math.abs(r - g) < 24 && Math.abs(g - b) < 24;
    if (grey && (r < 48 || r > 207)) binary++;
  }
  return binary >= n * 0.97;
}

/**
 * Reads `upload` as a mask or as a painted copy of `source` (same size). `threshold` is the summed
 * RGB difference above which a pixel counts as painted (default 96).
 */
export function maskFromUpload(upload: RgbImage, source: RgbImage, threshold = 96): UploadMask {
  if (upload.width !== source.width || upload.height !== source.height) {
    throw new RangeError(`upload is ${upload.width}x${upload.height} but the draft is ${source.width}x${source.height}`);
  }
  const n = upload.width * upload.height;
  const mask: GrayImage = { width: upload.width, height: upload.height, data: new Uint8Array(n) };
  const kind: UploadMaskKind = looksLikeMask(upload) ? 'mask' : 'painted';
  let on = 0;
  for (let i = 0; i < n; i++) {
    let repaint: boolean;
    if (kind === 'mask') {
      repaint = upload.data[i * 3]! >= 128;
    } else {
      const d = Math.abs(upload.data[i * 3]! - source.data[i * 3]!) + Math.abs(upload.data[i * 3 + 1]! - source.data[i * 3 + 1]!) + Math.abs(upload.data[i * 3 + 2]! - source.data[i * 3 + 2]!);
      repaint = d > threshold;
    }
    if (repaint) {
      mask.data[i] = 255;
      on++;
    }
  }
  return { kind, mask, coverage: on / n };
}
