/**
 * The picture posted under a draft: its variants side by side in a 2x2 grid (one variant is posted
 * as is), with a thin gap so members can tell them apart and a small number in each picture's top
 * left corner, the same 1-4 members vote with (1️⃣-4️⃣). sharp does the work in libvips' thread
 * pool, so the bot's event loop only waits on it.
 */
import sharp from 'sharp';
import { textBlock } from '../../media/text-block.js';

const GAP = 4;

/**
 * Tags by "number:cell size". A bot posts grids of a handful of sizes, and setting text through
 * Pango is the costliest part of a grid: measured under a burst of deliveries, it was most of the
 * bot's own CPU time, so each tag is drawn once per process.
 */
const tags = new Map<string, Promise<Buffer>>();
const MAX_TAGS = 64;

function numberTag(n: number, cell: number): Promise<Buffer> {
  const key = `${n}:${cell}`;
  let tag = tags.get(key);
  if (!tag) {
    if (tags.size >= MAX_TAGS) tags.clear();
    tag = drawNumberTag(n, cell);
    tags.set(key, tag);
    tag.catch(() => tags.delete(key));
  }
  return tag;
}

/** A number on a dark rounded tag, sized to the picture: readable, but covering little of it. */
async function drawNumberTag(n: number, cell: number): Promise<Buffer> {
  const fontPx = Math.max(8, Math.round(cell * 0.075));
  const text = (await textBlock(String(n), { fontPx, maxWidth: cell, maxLines: 1, bold: true, color: '#ffffff' }))!;
  const pad = Math.max(2, Math.round(fontPx * 0.35));
  // Square-ish tags of one size for every digit (ink widths differ: "1" is narrow).
  const side = Math.max(text.width, text.height);
  const w = side + 2 * pad;
  const h = text.height + 2 * pad;
  const tag = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="${w}" height="${h}" rx="${pad}" fill="#000000" fill-opacity="0.6"/></svg>`;
  return sharp(Buffer.from(tag)).composite([{ input: text.png, left: pad + Math.floor((side - text.width) / 2), top: pad }]).png().toBuffer();
}

/** PNG bytes of `variants` (PNG buffers of equal size) laid out 2 per row, numbered 1-4. */
export async function draftGrid(variants: Buffer[]): Promise<Buffer> {
  if (variants.length === 0) throw new Error('a draft grid needs at least one variant');
  if (variants.length === 1) return variants[0]!;
  const meta = await sharp(variants[0]!).metadata();
  const w = meta.width ?? 64;
  const h = meta.height ?? 64;
  const columns = 2;
  const rows = Math.ceil(variants.length / columns);
  const inset = Math.max(2, Math.round(Math.min(w, h) * 0.03));
  const layers = [];
  for (const [i, input] of variants.entries()) {
    const left = (i % columns) * (w + GAP);
    const top = Math.floor(i / columns) * (h + GAP);
    layers.push({ input, left, top }, { input: await numberTag(i + 1, Math.min(w, h)), left: left + inset, top: top + inset });
  }
  return sharp({ create: { width: columns * w + GAP, height: rows * h + GAP * (rows - 1), channels: 3, background: '#202225' } })
    .composite(layers)
    .png()
    .toBuffer();
}
