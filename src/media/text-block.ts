/**
 * Text for pictures, measured with the font that draws it. libvips renders Pango markup through
 * fontconfig (sharp's `text` input), wraps it at a pixel width, and crops the result to the ink, so
 * the size of a rendered block is the truth about how much room the words take — no per-character
 * estimate that cuts "The Fox and the Moon" to "The Fox and the Moo". A block that needs more lines
 * than it may have is first set smaller (down to `minFontPx`), then shortened at a word with "…".
 */
import sharp from 'sharp';
import { escapeXml } from './svg-text.js';

export interface TextBlockOptions {
  /** Font size in pixels (libvips text at 72 dpi: one point is one pixel). */
  fontPx: number;
  /** Smallest size the text may shrink to before it is shortened (default: fontPx, no shrinking). */
  minFontPx?: number;
  maxWidth: number;
  maxLines: number;
  bold?: boolean;
  /** CSS hex colour, e.g. "#222222". */
  color?: string;
  align?: 'left' | 'centre';
}

export interface TextBlock {
  /** RGBA PNG cropped to the ink. */
  png: Buffer;
  width: number;
  height: number;
  fontPx: number;
  /** The words as printed (shortened ones end with "…"). */
  printed: string;
}

/** The family every picture's text is set in; installed with the fonts-dejavu package. */
const FAMILY = 'DejaVu Sans';
/** Glyphs with the tallest ascent and deepest descent, to learn how high n lines may be. */
const TALLEST = 'ÁÉgjpq|';

interface Rendered {
  png: Buffer;
  width: number;
  height: number;
}

async function render(text: string, fontPx: number, opts: TextBlockOptions, wrapWidth?: number): Promise<Rendered> {
  // Pango markup is XML: the same escaping keeps "<" and "&" in captions from breaking or injecting markup.
  const markup = `<span foreground="${opts.color ?? '#222222'}">${escapeXml(text)}</span>`;
  const { data, info } = await sharp({
    text: {
      text: markup,
      font: `${FAMILY}${opts.bold ? ' Bold' : ''} ${fontPx}`,
      dpi: 72,
      rgba: true,
      align: opts.align === 'centre' ? 'centre' : 'left',
      // Pango wraps by advance widths; glyph ink may overhang a pixel or two, so wrap a little inside.
      ...(wrapWidth ? { width: wrapWidth - Math.max(2, Math.ceil(fontPx * 0.1)), wrap: 'word-char' as const } : {}),
    },
  })
    .png()
    .toBuffer({ resolveWithObject: true });
  return { png: data, width: info.width, height: info.height };
}

/** Heights already measured, by lines, size and weight: a sheet of many captions asks the same question often. */
const measuredHeights = new Map<string, Promise<number>>();

/** The ink height of `lines` lines of the tallest glyphs: no block of that many lines is higher. */
function linesHeight(lines: number, fontPx: number, opts: TextBlockOptions): Promise<number> {
  const key = `${lines}:${fontPx}:${opts.bold ? 'b' : ''}`;
  let height = measuredHeights.get(key);
  if (!height) {
    height = render(Array(lines).fill(TALLEST).join('\n'), fontPx, opts).then((r) => r.height);
    if (measuredHeights.size < 256) measuredHeights.set(key, height);
    height.catch(() => measuredHeights.delete(key));
  }
  return height;
}

/**
 * Renders `text` wrapped at `maxWidth` in at most `maxLines` lines, shrinking and then shortening it
 * when needed. Undefined for empty text.
 * @example await textBlock('The Fox and the Moon', { fontPx: 28, minFontPx: 18, maxWidth: 128, maxLines: 2, bold: true })
 */
export async function textBlock(text: string, opts: TextBlockOptions): Promise<TextBlock | undefined> {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean === '') return undefined;
  const minFontPx = Math.min(opts.fontPx, opts.minFontPx ?? opts.fontPx);
  let fontPx = opts.fontPx;
  for (;;) {
    const limit = await linesHeight(opts.maxLines, fontPx, opts);
    const whole = await render(clean, fontPx, opts, opts.maxWidth);
    if (whole.height <= limit && whole.width <= opts.maxWidth) return { ...whole, fontPx, printed: clean };
    const smaller = Math.max(minFontPx, Math.floor(fontPx * 0.9));
    if (smaller < fontPx) {
      fontPx = smaller;
      continue;
    }
    return shortened(clean, fontPx, limit, opts);
  }
}

/** The longest run of leading words that, with "…", fits in `limit` pixels of height (binary search). */
async function shortened(clean: string, fontPx: number, limit: number, opts: TextBlockOptions): Promise<TextBlock> {
  const words = clean.split(' ');
  const attempt = (n: number) => render(`${words.slice(0, n).join(' ')}…`, fontPx, opts, opts.maxWidth);
  let lo = 1;
  let hi = words.length - 1;
  let best = await attempt(1);
  let bestN = 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = await attempt(mid);
    if (r.height <= limit && r.width <= opts.maxWidth) {
      best = r;
      bestN = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return { ...best, fontPx, printed: `${words.slice(0, bestN).join(' ')}…` };
}

/** The height a block of `lines` lines at `fontPx` can take at most: for laying out fixed rows. */
export function textBlockHeight(lines: number, fontPx: number, bold = false): Promise<number> {
  return linesHeight(lines, fontPx, { fontPx, maxWidth: 0, maxLines: lines, bold });
}
