/**
 * A scratch folder of numbered PNG frames, the hand-off between sharp (which draws and reads frames)
 * and ffmpeg (which reads and writes image sequences). Frames are written with fast, light PNG
 * compression because they live for seconds; the folder is removed when the work is done, even on
 * error or cancellation.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../core/image.js';

/** A numbered image sequence in a folder, as ffmpeg's image2 muxer names it. */
export interface FrameSequence {
  dir: string;
  /** printf-style file name, e.g. "out-%05d.png", numbered from 0. */
  pattern: string;
  count: number;
  fps: number;
  width: number;
  height: number;
}

export class FrameFolder {
  private constructor(readonly dir: string) {}

  /** Creates a fresh folder under the system temp dir. */
  static async create(prefix = 'taleframe-frames-'): Promise<FrameFolder> {
    return new FrameFolder(await mkdtemp(join(tmpdir(), prefix)));
  }

  /** Runs `work` with a fresh folder and removes it afterwards. */
  static async using<T>(work: (folder: FrameFolder) => Promise<T>): Promise<T> {
    const folder = await FrameFolder.create();
    try {
      return await work(folder);
    } finally {
      await folder.remove();
    }
  }

  pattern(name: string): string {
    return `${name}-%05d.png`;
  }

  path(name: string, index: number): string {
    return join(this.dir, `${name}-${String(index).padStart(5, '0')}.png`);
  }

  /** Writes frame `index` of sequence `name`. */
  async writeRgb(name: string, index: number, image: RgbImage): Promise<void> {
    await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
      raw: { width: image.width, height: image.height, channels: 3 },
    })
      .png({ compressionLevel: 1, adaptiveFiltering: false })
      .toFile(this.path(name, index));
  }

  /** Reads frame `index` of sequence `name` as RGB. */
  async readRgb(name: string, index: number): Promise<RgbImage> {
    const { data, info } = await sharp(this.path(name, index)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  }

  sequence(name: string, count: number, fps: number, width: number, height: number): FrameSequence {
    return { dir: this.dir, pattern: this.pattern(name), count, fps, width, height };
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
