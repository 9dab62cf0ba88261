/**
 * sharp adapters between files / PNG buffers and the engine's plain RgbImage / GrayImage buffers:
 * decode any image sharp reads (alpha flattened onto white), resize to a render size, encode PNG,
 * tile drafts into the 2x2 grid Discord shows, and read masks (an explicit mask image, or a
 * painted-over copy of a draft). Decoding keeps a pixel limit (picture-check.ts), so no input can
 * make a worker decode a decompression bomb. PNG encoding with fixed options is deterministic, so the same pixels
 * always give the same bytes.
 */
import sharp, { type Sharp } from 'sharp';
import { createGray, createRgb, type GrayImage, type RgbImage } from '../core/image.js';
import { decodeLimited } from '../media/picture-check.js';
import { paintedCopyMask, type PaintedMaskOptions } from './painted-mask.js';

/** A file path or encoded image bytes. */
export type ImageInput = string | Buffer | Uint8Array;

/** How a source fills a target size: crop to fill ('cover'), stretch ('fill') or pad ('contain'). */
export type FitMode = 'cover' | 'fill' | 'contain';

function raw(image: RgbImage | GrayImage, channels: 1 | 3): Sharp {
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels },
  });
}

async function toRgb(pipeline: Sharp): Promise<RgbImage> {
  const { data, info } = await pipeline.flatten({ background: '#ffffff' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Encodes RGB pixels as PNG. */
export function rgbToPng(image: RgbImage): Promise<Buffer> {
  return raw(image, 3).png({ compressionLevel: 6, adaptiveFiltering: false }).toBuffer();
}

/** Encodes a mask (or any gray image) as an 8-bit grayscale PNG. */
export function grayToPng(image: GrayImage): Promise<Buffer> {
  return raw(image, 1).png({ compressionLevel: 6, adaptiveFiltering: false }).toBuffer();
}

/** Decodes any image sharp reads to RGB (EXIF orientation applied, alpha over white). */
export function decodeImage(input: ImageInput): Promise<RgbImage> {
  return toRgb(sharp(input, decodeLimited()).rotate());
}

/** Decodes an image and resizes it to exactly width x height (the img2img / inpaint source). */
export function loadImageAt(input: ImageInput, width: number, height: number, fit: FitMode = 'cover'): Promise<RgbImage> {
  return toRgb(sharp(input, decodeLimited()).rotate().resize(width, height, { fit, background: '#ffffff', kernel: 'lanczos3' }));
}

/** Resizes RGB pixels to width x height. */
export function resizeRgb(image: RgbImage, width: number, height: number, fit: FitMode = 'cover'): Promise<RgbImage> {
  if (image.width === width && image.height === height) return Promise.resolve(image);
  return toRgb(raw(image, 3).resize(width, height, { fit, background: '#ffffff', kernel: 'lanczos3' }));
}

/** Tiles images (all the same size) into a grid of ceil(sqrt(n)) columns with `gap` white pixels. */
export function gridImage(images: readonly RgbImage[], gap = 4): RgbImage {
  if (images.length === 0) throw new Error('A grid needs at least one image.');
  const { width, height } = images[0];
  if (images.some((im) => im.width !== width || im.height !== height)) throw new Error('Grid images must all have the same size.');
  const cols = Math.ceil(Math.sqrt(images.length));
  const rows = Math.ceil(images.length / cols);
  const grid = createRgb(cols * width + (cols - 1) * gap, rows * height + (rows - 1) * gap);
  grid.data.fill(255);
  images.forEach((image, i) => {
    const ox = (i % cols) * (width + gap);
    const oy = Math.floor(i / cols) * (height + gap);
    for (let y = 0; y < height; y++) {
      grid.data.set(image.data.subarray(y * width * 3, (y + 1) * width * 3), ((oy + y) * grid.width + ox) * 3);
    }
  });
  return grid;
}

/** The draft grid Discord shows: 4 variants as 2x2 (any count works) in one PNG. */
export function gridPng(images: readonly RgbImage[], gap = 4): Promise<Buffer> {
  return rgbToPng(gridImage(images, gap));
}

/**
 * Reads a mask image of any colours at width x height: where the image has transparency the alpha
 * channel is the mask, else any bright or saturated pixel (max channel >= 128) is "repaint".
 * Nearest-neighbour resizing keeps it binary; the result is 0 / 255.
 */
export async function loadMask(input: ImageInput, width: number, height: number): Promise<GrayImage> {
  const { data, info } = await sharp(input, decodeLimited())
    .rotate()
    .ensureAlpha()
    .resize(width, height, { fit: 'fill', kernel: 'nearest' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const mask = createGray(width, height);
  const pixels = width * height;
  let transparent = false;
  for (let p = 0; p < pixels; p++) if (data[p * 4 + 3] < 255) transparent = true;
  for (let p = 0; p < pixels; p++) {
    const i = p * 4;
    const on = transparent ? data[i + 3] >= 128 : Math.max(data[i], data[i + 1], data[i + 2]) >= 128;
    mask.data[p] = on ? 255 : 0;
  }
  return mask;
}

/** Mask from a painted-over copy of `draft` (resized to the draft's size first). */
export async function loadPaintedCopyMask(draft: RgbImage, painted: ImageInput, options?: PaintedMaskOptions): Promise<GrayImage> {
  const copy = await loadImageAt(painted, draft.width, draft.height, 'fill');
  return paintedCopyMask(draft, copy, options);
}
