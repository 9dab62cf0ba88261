/**
 * Looks at an uploaded picture before anything decodes it. The format is sniffed from the first
 * bytes (never from the file name or the content type a client claims), so an SVG, an HTML page or
 * a zip named `mask.png` is refused without being parsed. The size is then read from the header
 * alone (sharp's metadata does not decode pixels), so a decompression bomb (a 15000x15000 PNG of a
 * few hundred KB that would cost seconds and hundreds of MB to decode) is refused in milliseconds.
 * Animated pictures are refused where a still one is needed. Decoding afterwards goes through
 * `decodeLimited`, which keeps libvips' own pixel limit on as a second line of defence.
 */
import sharp, { type Metadata, type SharpOptions } from 'sharp';

export type PictureFormat = 'png' | 'jpeg' | 'webp' | 'gif';

export interface PictureFacts {
  format: PictureFormat;
  width: number;
  height: number;
  /** Frames (1 for a still picture). */
  pages: number;
}

export interface PictureLimits {
  /** Largest width x height accepted (default 4096 x 4096). */
  maxPixels: number;
  /** Longest side accepted (default 8192). */
  maxSide: number;
}

export const PICTURE_LIMITS: PictureLimits = { maxPixels: 4096 * 4096, maxSide: 4096 };

/** A picture that cannot be used; `message` is one sentence for the person who sent it. */
export class PictureRefusedError extends Error {
  override readonly name = 'PictureRefusedError';
}

/** The format from the file's first bytes, or undefined for anything that is not PNG, JPEG, WebP or GIF. */
export function sniffPictureFormat(bytes: Uint8Array): PictureFormat | undefined {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return 'gif';
  return undefined;
}

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, to));
}

export interface InspectOptions {
  /** Refuse animations and GIFs (masks, painted copies, starting pictures). */
  still?: boolean;
  /** What to send instead, ending the "not a picture" sentence (default: a PNG, JPEG or WebP picture). */
  hint?: string;
  /** The sender said it is a picture (its content type): then unreadable bytes are "damaged". */
  claimsPicture?: boolean;
  limits?: PictureLimits;
}

/**
 * Sniffs, reads the header and checks the limits; throws PictureRefusedError with a sentence naming
 * `name` and what to send instead.
 */
export async function inspectPicture(bytes: Uint8Array, name: string, options: InspectOptions = {}): Promise<PictureFacts> {
  const limits = options.limits ?? PICTURE_LIMITS;
  const format = sniffPictureFormat(bytes);
  if (!format && options.claimsPicture) throw new PictureRefusedError(`"${name}" could not be read as a picture (it is damaged or not really a PNG, JPEG or WebP); export it again as PNG.`);
  if (!format) throw new PictureRefusedError(`"${name}" is not a PNG, JPEG or WebP picture; ${options.hint ?? 'attach a PNG, JPEG or WebP picture'}.`);
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false, pages: -1 }).metadata();
  } catch {
    throw new PictureRefusedError(`"${name}" could not be read as a picture (it may be cut short or damaged); export it again as PNG.`);
  }
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  const pages = meta.pages ?? 1;
  if (width < 1 || height < 1) throw new PictureRefusedError(`"${name}" has no pixels; export it again as PNG.`);
  if (width * height > limits.maxPixels || Math.max(width, height) > limits.maxSide) {
    throw new PictureRefusedError(`"${name}" is ${width}x${height} pixels; send a picture at most ${limits.maxSide} pixels on a side.`);
  }
  if (options.still && (pages > 1 || format === 'gif')) {
    throw new PictureRefusedError(`"${name}" is ${pages > 1 ? 'animated' : 'a GIF'}; attach a still PNG, JPEG or WebP picture.`);
  }
  return { format, width, height, pages };
}

/** sharp options for decoding an already inspected picture: the pixel limit stays on, damage fails. */
export function decodeLimited(limits: PictureLimits = PICTURE_LIMITS): SharpOptions {
  return { limitInputPixels: limits.maxPixels, failOn: 'truncated' };
}
