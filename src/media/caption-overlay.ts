/**
 * Captions burned into video frames. The caption is set once per panel with the real font
 * (text-block.ts: escaped, wrapped and measured) on a translucent band, then alpha-blended onto each frame
 * in plain code. Drawing text with sharp rather than ffmpeg's drawtext avoids depending on fontconfig
 * and font paths on the worker host, and keeps user text out of ffmpeg filter strings altogether.
 */
import sharp from 'sharp';
import type { RgbImage } from '../core/image.js';
import { textBlock } from './text-block.js';

/** An RGBA band to lay over the bottom of a frame. */
export interface CaptionOverlay {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** Caption band for frames `width` wide: up to three lines, font scaled with the frame. */
export async function captionOverlay(caption: string, width: number, frameHeight: number): Promise<CaptionOverlay | undefined> {
  if (caption.trim() === '') return undefined;
  const fontPx = Math.max(9, Math.round(width / 30));
  const padding = Math.max(4, Math.round(fontPx * 0.6));
  const text = await textBlock(caption, { fontPx, maxWidth: width - 2 * padding, maxLines: 3, color: '#ffffff' });
  // A frame too small to hold even the shortened caption is shown without it.
  if (!text || text.height + 2 * padding > frameHeight) return undefined;
  const height = text.height + 2 * padding;
  const band = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="${width}" height="${height}" fill="#000000" fill-opacity="0.58"/></svg>`;
  const { data, info } = await sharp(Buffer.from(band))
    .composite([{ input: text.png, left: padding, top: padding }])
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Blends `overlay` onto the bottom of `frame` in place. */
export function burnCaption(frame: RgbImage, overlay: CaptionOverlay | undefined): RgbImage {
  if (!overlay) return frame;
  const top = frame.height - overlay.height;
  const w = Math.min(frame.width, overlay.width);
  for (let y = 0; y < overlay.height; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * overlay.width + x) * 4;
      const a = overlay.rgba[o + 3]! / 255;
      if (a === 0) continue;
      const f = ((top + y) * frame.width + x) * 3;
      for (let c = 0; c < 3; c++) frame.data[f + c] = Math.round(frame.data[f + c]! * (1 - a) + overlay.rgba[o + c]! * a);
    }
  }
  return frame;
}
