/**
 * The storyboard as a picture book: one self-contained .html file with the title, every panel and its
 * caption, in readable book typography. Images are inlined as data: URIs and a Content-Security-Policy
 * forbids any other load, so the file works offline, from a Discord attachment, forever. All user text
 * (title, captions) is HTML-escaped. Like every upload it must fit the limit, so images are re-encoded
 * as JPEG at falling quality and size until the file does.
 */
import sharp from 'sharp';
import { MediaInputError } from './media-input-error.js';

export interface BookPanel {
  png: Buffer | Uint8Array;
  caption: string;
}

export interface PictureBookOptions {
  title: string;
  /** BCP 47 language of the text (default "en"). */
  lang?: string;
  /** Longest side of the inlined images on the first try (default 768). */
  maxSide?: number;
  limitBytes: number;
}

export interface PictureBook {
  html: string;
  bytes: Buffer;
  /** The settings the images ended up with. */
  image: { format: 'jpeg'; quality: number; maxSide: number };
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const LADDER = [
  { quality: 85, scale: 1 },
  { quality: 75, scale: 0.75 },
  { quality: 65, scale: 0.5 },
  { quality: 50, scale: 0.35 },
] as const;

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f7f4ee; color: #2b2620;
  font: 1.125rem/1.65 Georgia, "Iowan Old Style", "DejaVu Serif", "Times New Roman", serif; }
main { max-width: 44rem; margin: 0 auto; padding: 2.5rem 1.25rem 4rem; }
header { text-align: center; margin-bottom: 2.5rem; }
h1 { font-size: clamp(1.8rem, 5vw, 2.6rem); line-height: 1.2; margin: 0 0 .4rem; font-weight: 700; letter-spacing: .01em; }
.count { margin: 0; color: #6d6457; font-style: italic; }
figure { margin: 0 0 3rem; break-inside: avoid; page-break-inside: avoid; }
img { display: block; width: 100%; height: auto; border-radius: 6px; background: #e9e3d8;
  box-shadow: 0 1px 3px rgba(0,0,0,.18), 0 8px 24px rgba(0,0,0,.08); }
figcaption { margin-top: .9rem; text-wrap: pretty; hyphens: auto; }
.page { display: inline-block; min-width: 1.8em; margin-right: .5em; color: #8a7f70; font-variant-numeric: oldstyle-nums; }
footer { text-align: center; color: #8a7f70; font-size: .9rem; }
@media print { body { background: #fff; } img { box-shadow: none; } main { max-width: none; } }
`;

async function inline(png: Buffer | Uint8Array, index: number, maxSide: number, quality: number) {
  const { data, info } = await sharp(png)
    .rotate()
    .flatten({ background: '#ffffff' })
    .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality, mozjpeg: true })
    .toBuffer({ resolveWithObject: true })
    .catch(() => {
      throw new MediaInputError(`Panel ${index + 1} is not a picture I can read.`);
    });
  return { uri: `data:image/jpeg;base64,${data.toString('base64')}`, width: info.width, height: info.height };
}

function page(title: string, lang: string, figures: string[]): string {
  const t = escapeHtml(title);
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="generator" content="Taleframe">
<title>${t}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header><h1>${t}</h1><p class="count">${figures.length} ${figures.length === 1 ? 'picture' : 'pictures'}</p></header>
${figures.join('\n')}
<footer>Illustrated together with Taleframe</footer>
</main>
</body>
</html>
`;
}

/**
 * Builds the book; throws MediaInputError when even the smallest images leave it over the limit.
 * @example const { bytes } = await pictureBook(panels, { title: story.title, limitBytes: config.UPLOAD_LIMIT_BYTES });
 */
export async function pictureBook(panels: BookPanel[], opts: PictureBookOptions): Promise<PictureBook> {
  if (panels.length === 0) throw new MediaInputError('A picture book needs at least one panel.');
  const base = opts.maxSide ?? 768;
  let size = 0;
  for (const rung of LADDER) {
    const maxSide = Math.max(64, Math.round(base * rung.scale));
    const figures: string[] = [];
    for (const [i, panel] of panels.entries()) {
      const img = await inline(panel.png, i, maxSide, rung.quality);
      const caption = panel.caption.trim();
      const alt = caption === '' ? `Picture ${i + 1}` : caption;
      figures.push(
        `<figure id="panel-${i + 1}"><img src="${img.uri}" width="${img.width}" height="${img.height}" alt="${escapeHtml(alt)}">` +
          `<figcaption><span class="page">${i + 1}</span>${escapeHtml(caption)}</figcaption></figure>`,
      );
    }
    const html = page(opts.title, opts.lang ?? 'en', figures);
    const bytes = Buffer.from(html, 'utf8');
    size = bytes.length;
    if (size <= opts.limitBytes) return { html, bytes, image: { format: 'jpeg', quality: rung.quality, maxSide } };
  }
  throw new MediaInputError(
    `The picture book is still ${(size / 1024 / 1024).toFixed(2)} MiB with the smallest pictures, over the ${(opts.limitBytes / 1024 / 1024).toFixed(2)} MiB upload limit; export fewer panels.`,
  );
}
