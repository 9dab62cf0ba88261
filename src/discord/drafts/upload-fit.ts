/**
 * Keeps a picture under Discord's upload limit: a PNG that is too large is re-encoded as JPEG at
 * falling quality, then scaled down, until it fits.
 */
import sharp from 'sharp';

export async function fitUpload(png: Buffer, limitBytes: number): Promise<{ data: Buffer; ext: 'png' | 'jpg' }> {
  if (png.length <= limitBytes) return { data: png, ext: 'png' };
  const meta = await sharp(png).metadata();
  let width = meta.width ?? 1024;
  for (let attempt = 0; attempt < 8; attempt++) {
    for (const quality of [85, 70, 55]) {
      const jpg = await sharp(png).resize({ width }).jpeg({ quality }).toBuffer();
      if (jpg.length <= limitBytes) return { data: jpg, ext: 'jpg' };
    }
    width = Math.max(64, Math.round(width * 0.7));
  }
  throw new Error(`a ${png.length}-byte picture could not be made smaller than ${limitBytes} bytes`);
}
