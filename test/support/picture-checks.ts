/**
 * Small checks on rendered pictures for tests, and the folder they write pictures to so a person can
 * look at them (test-output/, git-ignored). Not a test.
 */
import sharp from 'sharp';

export const TEST_OUTPUT = new URL('../../test-output', import.meta.url).pathname;

/** Leftmost and rightmost columns in rows [top, top + height) whose colour differs from `background` (-1 when none). */
export async function inkColumns(png: Buffer, rows: { top: number; height: number }, background: string): Promise<{ first: number; last: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const bg = [1, 3, 5].map((i) => parseInt(background.slice(i, i + 2), 16));
  let first = -1;
  let last = -1;
  for (let y = rows.top; y < Math.min(info.height, rows.top + rows.height); y++) {
    for (let x = 0; x < info.width; x++) {
      const o = (y * info.width + x) * 3;
      if (Math.abs(data[o]! - bg[0]!) + Math.abs(data[o + 1]! - bg[1]!) + Math.abs(data[o + 2]! - bg[2]!) < 24) continue;
      if (first < 0 || x < first) first = x;
      if (x > last) last = x;
    }
  }
  return { first, last };
}
