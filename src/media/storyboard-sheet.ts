/**
 * The storyboard as one picture: panels in reading order on a grid, each with its caption underneath,
 * and the story's title on top. Used by the illustrate CLI and the /storyboard export. Every piece of
 * text is measured with the font that draws it (text-block.ts): a title too wide for a one-panel
 * sheet wraps and, if it must, shrinks; a long caption is shortened at a word with "…".
 */
import sharp, { type OverlayOptions } from 'sharp';
import { textBlock, textBlockHeight } from './text-block.js';

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
const titleFontPx = 28;
const titleMinFontPx = 16;
const titleLines = 2;
const gap = 12;
/** Space between a panel and its caption, and under the caption. */
const captionPad = 6;

/** Renders the sheet and returns PNG bytes. */
export async function storyboardSheet(panels: SheetPanel[], options: SheetOptions = {}): Promise<Buffer> {
  if (panels.length === 0) throw new Error('a storyboard sheet needs at least one panel');
  const columns = Math.max(1, Math.min(options.columns ?? 3, panels.length));
  const cellWidth = options.cellWidth ?? 320;
  const first = await sharp(panels[0]!.png).metadata();
  const cellImageHeight = Math.round((cellWidth * (first.height ?? cellWidth)) / (first.width ?? cellWidth));
  const captionHeight = (await textBlockHeight(captionLines, captionFontPx)) + 2 * captionPad;
  const width = gap + columns * (cellWidth + gap);
  const title = options.title
    ? await textBlock(options.title, { fontPx: titleFontPx, minFontPx: titleMinFontPx, maxWidth: width - 2 * gap, maxLines: titleLines, bold: true })
    : undefined;
  const titleHeight = title ? title.height + gap : 0;
  const rows = Math.ceil(panels.length / columns);
  const height = titleHeight + gap + rows * (cellImageHeight + captionHeight + gap);

  const layers: OverlayOptions[] = [];
  if (title) layers.push({ input: title.png, left: gap, top: gap });
  for (const [i, panel] of panels.entries()) {
    const left = gap + (i % columns) * (cellWidth + gap);
    const top = titleHeight + gap + Math.floor(i / columns) * (cellImageHeight + captionHeight + gap);
    const image = await sharp(panel.png).resize(cellWidth, cellImageHeight, { fit: 'contain', background: '#ffffff' }).png().toBuffer();
    layers.push({ input: image, left, top });
    const caption = await textBlock(`${i + 1}. ${panel.caption}`, { fontPx: captionFontPx, maxWidth: cellWidth - 4, maxLines: captionLines });
    if (caption) layers.push({ input: caption.png, left: left + 2, top: top + cellImageHeight + captionPad });
  }
  return sharp({ create: { width, height, channels: 3, background: '#f7f4ee' } })
    .composite(layers)
    .png()
    .toBuffer();
}
