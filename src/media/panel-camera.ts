/**
 * A virtual camera over one still panel: given a crop window (from src/core/camera-motion.ts) it
 * returns the frame the camera sees at the output size. sharp crops on whole pixels, which makes slow
 * moves judder, so the panel is first upscaled once to a supersampled working copy (4x the output by
 * default) and windows are cut from that: a one-pixel step there is a quarter pixel in the frame.
 */
import sharp from 'sharp';
import type { CropWindow } from '../core/camera-motion.js';
import type { RgbImage } from '../core/image.js';

/** Working copies are capped at this many pixels on the long side (memory and time per frame). */
const MAX_WORKING_SIDE = 2048;

export class PanelCamera {
  private constructor(
    private readonly working: Buffer,
    private readonly workingWidth: number,
    private readonly workingHeight: number,
    readonly width: number,
    readonly height: number,
  ) {}

  /**
   * Prepares a camera that renders `width` x `height` frames of the panel in `png` (cropped to that
   * aspect ratio if it differs, centred).
   */
  static async open(png: Buffer | Uint8Array, width: number, height: number): Promise<PanelCamera> {
    const factor = Math.max(1, Math.min(4, Math.floor(MAX_WORKING_SIDE / Math.max(width, height))));
    const ww = width * factor;
    const wh = height * factor;
    const working = await sharp(png)
      .rotate()
      .flatten({ background: '#ffffff' })
      .removeAlpha()
      .resize(ww, wh, { fit: 'cover', kernel: 'lanczos3' })
      .raw()
      .toBuffer();
    return new PanelCamera(working, ww, wh, width, height);
  }

  /** The frame seen through `window` (fractions of the panel). */
  async frame(window: CropWindow): Promise<RgbImage> {
    const w = Math.max(1, Math.min(this.workingWidth, Math.round(window.width * this.workingWidth)));
    const h = Math.max(1, Math.min(this.workingHeight, Math.round(window.height * this.workingHeight)));
    const left = Math.max(0, Math.min(this.workingWidth - w, Math.round(window.x * this.workingWidth)));
    const top = Math.max(0, Math.min(this.workingHeight - h, Math.round(window.y * this.workingHeight)));
    const { data, info } = await sharp(this.working, { raw: { width: this.workingWidth, height: this.workingHeight, channels: 3 } })
      .extract({ left, top, width: w, height: h })
      .resize(this.width, this.height, { fit: 'fill', kernel: 'lanczos3' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  }
}
