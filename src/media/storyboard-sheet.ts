/**
 * The storyboard as one picture: panels in reading order on a grid, each with its caption underneath,
 * and the story's title on top. Used by the illustrate CLI and the /storyboard export.
 */
import sharp, { type OverlayOptions } from 'sharp';
import { textBlockSvg, wrapText } from './svg-text.js';

export interface SheetPanel {
  png: Buffer;
  caption: string;
}

export interface SheetOptions {
  title?: string;
  /** Width of each panel cell in pixels; panels are scaled to fit (aspect kept). */
  cellWidth?: number;
  columns?: number;
}

const captionFontPx = 14;
const captionLines = 3;
const gap = 12;

/** Renders the sheet and returns PNG bytes. */
export async function storyboardSheet(panels: SheetPanel[], options: SheetOptions = {}): Promise<Buffer> {
  if (panels.length === 0) throw new Error('a storyboard sheet needs at least one panel');
  const columns = Math.max(1, Math.min(options.columns ?? 3, panels.length));
  const cellWidth = options.cellWidth ?? 320;
  const first = await sharp(panels[0]!.png).metadata();
  const cellImageHeight = Math.round((cellWidth * (first.height ?? cellWidth)) / (first.width ?? cellWidth));
  const captionHeight = Math.round(captionFontPx * 1.3 * captionLines + 16);
  const titleHeight = options.title ? 56 : 0;
  const rows = Math.ceil(panels.length / columns);
  const width = gap + columns * (cellWidth + gap);
  const height = titleHeight + gap + rows * (cellImageHeight + captionHeight + gap);

  const layers: OverlayOptions[] = [];
  if (options.title) {
    const svg = textBlockSvg(wrapText(options.title, width - 2 * gap, 28, 1), { width, height: titleHeight, fontPx: 28, bold: true, padding: gap });
    layers.push({ input: Buffer.from(svg), left: 0, top: 0 });
  }
  for (const [i, panel] of panels.entries()) {
    const left = gap + (i % columns) * (cellWidth + gap);
    const top = titleHeight + gap + Math.floor(i / columns) * (cellImageHeight + captionHeight + gap);
    const image = await sharp(panel.png).resize(cellWidth, cellImageHeight, { fit: 'contain', background: '#ffffff' }).png().toBuffer();
    layers.push({ input: image, left, top });
    const caption = `${i + 1}. ${panel.caption}`;
    const svg = textBlockSvg(wrapText(caption, cellWidth - 8, captionFontPx, captionLines), {
      width: cellWidth,
      height: captionHeight,
      fontPx: captionFontPx,
      padding: 4,
    });
    layers.push({ input: Buffer.from(svg), left, top: top + cellImageHeight });
  }
  return sharp({ create: { width, height, channels: 3, background: '#f7f4ee' } })
    .composite(layers)
    .png()
    .toBuffer();
}
