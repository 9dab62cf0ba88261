/**
 * The picture posted under a draft: its variants side by side in a 2x2 grid (one variant is posted
 * as is), with a thin gap so members can tell them apart. sharp does the work in libvips' thread
 * pool, so the bot's event loop only waits on it.
 */
import sharp from 'sharp';

const GAP = 4;

/** PNG bytes of `variants` (PNG buffers of equal size) laid out 2 per row. */
export async function draftGrid(variants: Buffer[]): Promise<Buffer> {
  if (variants.length === 0) throw new Error('a draft grid needs at least one variant');
  if (variants.length === 1) return variants[0]!;
  const meta = await sharp(variants[0]!).metadata();
  const w = meta.width ?? 64;
  const h = meta.height ?? 64;
  const columns = 2;
  const rows = Math.ceil(variants.length / columns);
  const layers = variants.map((input, i) => ({ input, left: (i % columns) * (w + GAP), top: Math.floor(i / columns) * (h + GAP) }));
  return sharp({ create: { width: columns * w + GAP, height: rows * h + GAP * (rows - 1), channels: 3, background: '#202225' } })
    .composite(layers)
    .png()
    .toBuffer();
}
