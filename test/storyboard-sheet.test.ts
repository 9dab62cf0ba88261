import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { storyboardSheet } from '../src/media/storyboard-sheet.js';
import { escapeXml, wrapText } from '../src/media/svg-text.js';

async function solid(color: string): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: color } }).png().toBuffer();
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
    // Panel 1 is red at its cell, panel 4 (second row, first column) is yellow.
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
    expect(at(12 + 64, 56 + 12 + 48)).toEqual([255, 0, 0]);
    const rowHeight = 96 + Math.round(14 * 1.3 * 3 + 16) + 12;
    expect(at(12 + 64, 56 + 12 + rowHeight + 48)).toEqual([255, 255, 0]);
  });

  it('refuses an empty storyboard', async () => {
    await expect(storyboardSheet([])).rejects.toThrow(/at least one panel/);
  });

  it('escapes and wraps caption text', () => {
    expect(escapeXml('a <b> & "c"')).toBe('a &lt;b&gt; &amp; &quot;c&quot;');
    const lines = wrapText('one two three four five six seven eight nine ten', 60, 10, 2);
    expect(lines).toHaveLength(2);
    expect(lines[1]!.endsWith('…')).toBe(true);
  });
});
