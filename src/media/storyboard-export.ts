/**
 * Exports a story's chosen panels in one of three forms: the PNG contact sheet (storyboard-sheet.ts),
 * an MP4 slideshow with captions, Ken Burns moves and crossfades (storyboard-slideshow.ts), or a
 * self-contained HTML picture book (picture-book.ts). Every form comes back as bytes with its file
 * extension and MIME type, under the upload limit, ready for the blob store and a Discord attachment.
 */
import sharp from 'sharp';
import type { FfmpegTools } from './ffmpeg.js';
import { MediaInputError } from './media-input-error.js';
import { pictureBook } from './picture-book.js';
import { storyboardSheet } from './storyboard-sheet.js';
import { storyboardSlideshow, type SlideshowOptions } from './storyboard-slideshow.js';

export type StoryboardFormat = 'sheet' | 'slideshow' | 'html';

export interface StoryboardPanel {
  png: Buffer | Uint8Array;
  caption: string;
}

export interface StoryboardExportOptions {
  uploadLimitBytes: number;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number }) => void;
  /** Slideshow settings beyond the defaults (seconds per panel, fps, size...). */
  slideshow?: Partial<Omit<SlideshowOptions, 'title' | 'uploadLimitBytes' | 'signal' | 'onProgress'>>;
}

export interface StoryboardExport {
  format: StoryboardFormat;
  ext: 'png' | 'mp4' | 'html';
  mime: string;
  bytes: Buffer;
}

/**
 * Renders the export.
 * @example const file = await exportStoryboard(tools, { title, panels }, 'html', { uploadLimitBytes: 10 << 20 });
 */
export async function exportStoryboard(
  /** Needed for the slideshow only; the sheet and the book are drawn with sharp alone. */
  tools: FfmpegTools | undefined,
  story: { title: string; panels: StoryboardPanel[] },
  format: StoryboardFormat,
  opts: StoryboardExportOptions,
): Promise<StoryboardExport> {
  if (story.panels.length === 0) throw new MediaInputError('The storyboard has no panels to export yet.');
  if (format === 'slideshow') {
    if (!tools) throw new Error('the storyboard slideshow needs ffmpeg: pass the located tools');
    const show = await storyboardSlideshow(tools, story.panels, {
      ...opts.slideshow,
      title: story.title,
      uploadLimitBytes: opts.uploadLimitBytes,
      signal: opts.signal,
      onProgress: opts.onProgress,
    });
    return { format, ext: 'mp4', mime: 'video/mp4', bytes: show.clip.bytes };
  }
  if (format === 'html') {
    opts.onProgress?.({ done: 0, total: 1 });
    const book = await pictureBook(story.panels, { title: story.title, limitBytes: opts.uploadLimitBytes });
    opts.onProgress?.({ done: 1, total: 1 });
    return { format, ext: 'html', mime: 'text/html; charset=utf-8', bytes: book.bytes };
  }
  return { format, ext: 'png', mime: 'image/png', bytes: await fittingSheet(story, opts) };
}

/** The contact sheet, with smaller cells until the PNG fits the upload limit. */
async function fittingSheet(story: { title: string; panels: StoryboardPanel[] }, opts: StoryboardExportOptions): Promise<Buffer> {
  const panels = [];
  for (const [i, p] of story.panels.entries()) {
    // storyboardSheet wants PNG bytes; panels from the blob store are PNG already, others are converted.
    const png = await sharp(p.png).png().toBuffer().catch(() => {
      throw new MediaInputError(`Panel ${i + 1} is not a picture I can read.`);
    });
    panels.push({ png, caption: p.caption });
  }
  const cells = [320, 240, 160, 112];
  let size = 0;
  for (const [i, cellWidth] of cells.entries()) {
    opts.signal?.throwIfAborted();
    const sheet = await storyboardSheet(panels, { title: story.title, cellWidth, columns: panels.length <= 4 ? 2 : 3 });
    opts.onProgress?.({ done: i + 1, total: cells.length });
    size = sheet.length;
    if (size <= opts.uploadLimitBytes) return sheet;
  }
  throw new MediaInputError(
    `The storyboard sheet is still ${(size / 1024 / 1024).toFixed(2)} MiB with the smallest cells, over the upload limit; export fewer panels or use the picture book.`,
  );
}
