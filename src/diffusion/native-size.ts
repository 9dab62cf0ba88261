/**
 * The picture size a model was trained at, which is also the largest it draws comfortably: diffusers'
 * `unet/config.json` `sample_size` (latent side) times the VAE's downsampling factor of 8. SD1.x says
 * 64 (512 px), SD2-768 says 96. Folders without the file (older exports) are taken to be 512 px.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const VAE_FACTOR = 8;
const FALLBACK_PX = 512;

export async function nativePictureSize(modelDir: string): Promise<number> {
  try {
    const config = JSON.parse(await readFile(join(modelDir, 'unet', 'config.json'), 'utf8')) as { sample_size?: unknown };
    const side = typeof config.sample_size === 'number' ? config.sample_size : Array.isArray(config.sample_size) ? Number(config.sample_size[0]) : NaN;
    return Number.isInteger(side) && side >= 8 ? side * VAE_FACTOR : FALLBACK_PX;
  } catch {
    return FALLBACK_PX;
  }
}
