import { mkdir, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { storyboardSheet } from '../src/media/storyboard-sheet.js';
import { escapeXml } from '../src/media/svg-text.js';
import { textBlock, textBlockHeight } from '../src/media/text-block.js';
import { inkColumns, TEST_OUTPUT } from './support/picture-checks.js';

async function solid(color: string, width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: color } }).png().toBuffer();
}

describe('storyboard sheet', () => {
  it('lays panels out in reading order with captions under them', async () => {
    const panels = [
      { png: await solid('#ff0000'), caption: 'The Fox sees the grapes' },
      { png: await solid('#00ff00'), caption: 'He jumps <and> misses & falls' },
      { png: await solid('#0000ff'), caption: 'He walks away' },
      { png: await solid('#ffff00'), caption: 'Moral' },
    ];
    const png = await storyboardSheet(panels, { title: 'The Fox and the Grapes', cellWidth: 128, columns: 3 });
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(12 + 3 * (128 + 12));
    // Panel 1 is red at its cell's centre, panel 4 (second row, first column) is yellow, one row lower.
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
    const rowHeight = (info.height - 12) / 2;
    const firstCentre = info.height - 2 * rowHeight + 48;
    expect(at(12 + 64, firstCentre)).toEqual([255, 0, 0]);
    expect(at(12 + 64, firstCentre + rowHeight)).toEqual([255, 255, 0]);
  });

  it('prints a long title whole on a one-panel sheet, wrapped inside the sheet', async () => {
    const png = await storyboardSheet([{ png: await solid('#3366aa', 64, 64), caption: 'The fox looked up at the moon over the frozen river and wished for the night to last.' }], { title: 'The Fox and the Moon', cellWidth: 128 });
    await mkdir(TEST_OUTPUT, { recursive: true });
    await writeFile(`${TEST_OUTPUT}/sheet-one-panel.png`, png);
    const { info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const title = await textBlock('The Fox and the Moon', { fontPx: 28, minFontPx: 16, maxWidth: info.width - 24, maxLines: 2, bold: true });
    expect(title!.printed).toBe('The Fox and the Moon');
    expect(title!.width).toBeLessThanOrEqual(info.width - 24);
    // No ink in the right-hand margin: a cut title would run into the sheet's edge.
    const ink = await inkColumns(png, { top: 0, height: 12 + title!.height }, '#f7f4ee');
    expect(ink.first).toBeGreaterThanOrEqual(12);
    expect(ink.last).toBeLessThan(info.width - 12);
  });

  it('shortens a caption that needs more than three lines at a word, with an ellipsis', async () => {
    const long = await textBlock('one two three four five six seven eight nine ten eleven twelve thirteen fourteen', { fontPx: 14, maxWidth: 60, maxLines: 3 });
    expect(long!.printed).toMatch(/^one two .*[a-z]…$/);
    expect(long!.width).toBeLessThanOrEqual(60);
    expect(long!.height).toBeLessThanOrEqual(await textBlockHeight(3, 14));
  });

  it('fills every line it may have before shortening (ink overhang does not count as a line too wide)', async () => {
    const caption = 'The fox looked up at the moon over the frozen river and wished the night would last for ever and ever, said the old story.';
    const block = await textBlock(caption, { fontPx: 9, maxWidth: 246, maxLines: 3 });
    expect(block!.printed).toBe(caption);
    expect(block!.width).toBeLessThanOrEqual(246);
  });

  it('refuses an empty storyboard', async () => {
    await expect(storyboardSheet([])).rejects.toThrow(/at least one panel/);
  });

  it('escapes markup in text', async () => {
    expect(escapeXml('a <b> & "c"')).toBe('a &lt;b&gt; &amp; &quot;c&quot;');
    expect((await textBlock('He jumps <and> misses & falls', { fontPx: 14, maxWidth: 400, maxLines: 1 }))!.printed).toBe('He jumps <and> misses & falls');
  });
});
