/**
 * Runs the model's safety checker over a render's finished pictures, when the folder has one and the
 * job asks for it (payload `safetyCheck`, false only where a server admin turned the checker off in
 * an age-restricted channel), and blurs the flagged ones before they are stored. The draft message
 * says how many were blurred through the job's warnings.
 */
import type { RgbImage } from '../src/core/image.js';
import type { DiffusionEngine } from '../src/diffusion/engine.js';
import { blurPicture, blurredNote } from '../src/diffusion/safety-checker.js';
import type { Logger } from '../src/log.js';

export interface ScreenedPictures {
  images: RgbImage[];
  /** Indexes of the pictures that were blurred. */
  blurred: number[];
  /** "One picture was blurred by the safety checker.", when any was. */
  note?: string;
}

export async function screenPictures(engine: DiffusionEngine, images: RgbImage[], safetyCheck: boolean, log: Logger): Promise<ScreenedPictures> {
  const flags = safetyCheck ? await engine.checkSafety(images) : null;
  if (!flags) return { images, blurred: [] };
  const blurred = flags.flatMap((flagged, i) => (flagged ? [i] : []));
  if (blurred.length === 0) return { images, blurred };
  log.info({ blurred }, 'safety checker flagged pictures; they are blurred');
  const screened = await Promise.all(images.map((image, i) => (flags[i] ? blurPicture(image) : image)));
  return { images: screened, blurred, note: blurredNote(blurred.length) };
}
