/**
 * The `storyboard` job: exports a story's panels as the PNG sheet, the captioned MP4 slideshow or the
 * HTML picture book, and stores the one file. No model is needed, so any worker with ffmpeg (and,
 * for the sheet and the book, not even that) can run it.
 */
import type { JobHandler } from '../../queue/index.js';
import { exportStoryboard, type StoryboardPanel } from '../storyboard-export.js';
import { asJob, toolsFor, type MediaJobDeps } from './media-job-deps.js';

export function storyboardJob(deps: MediaJobDeps): JobHandler<'storyboard'> {
  return async (ctx) => {
    const p = ctx.payload;
    // Only the slideshow runs ffmpeg; the sheet and the book must work on a worker without it.
    const tools = p.format === 'slideshow' ? toolsFor(deps) : undefined;
    const panels: StoryboardPanel[] = [];
    for (const panel of p.panels) panels.push({ png: await ctx.blobs.get(panel.blobKey), caption: panel.caption });
    const file = await asJob(() =>
      exportStoryboard(tools, { title: p.title, panels }, p.format, {
        uploadLimitBytes: deps.uploadLimitBytes,
        signal: ctx.signal,
        onProgress: ({ done, total }) => ctx.reportStep({ step: done, total }),
      }),
    );
    return { keys: [await ctx.blobs.put(file.bytes, file.ext)] };
  };
}
