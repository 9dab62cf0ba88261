/**
 * A picture to start from (`/draw image:` and `/illustrate image:`, Midjourney's image prompts): a
 * sketch or a photo the draft is drawn over by img2img, in the prompt's and the story's style. The
 * attachment gets the same checks and private refusals as refine masks; it is stored in the blob
 * store for the worker, and its shape sets the draft's aspect ratio outside stories.
 */
import sharp from 'sharp';
import type { BotContext } from '../bot-context.js';
import { downloadPolicy, fetchImageAttachment, type AttachmentLike } from '../refine/attachment-check.js';
import { UserError, UserErrorId } from '../user-error.js';

/** How much of the starting picture is redrawn when the member does not say: its layout and colours stay, its look changes. */
export const DEFAULT_START_STRENGTH = 0.7;

export interface StartingPicture {
  init: { key: string; strength: number };
  /** The picture's own width and height (its aspect ratio). */
  shape: { width: number; height: number };
}

const HINT = 'attach a sketch or a photo to start from';

/** Checks and stores the attachment; undefined when there is none (a strength alone is refused). */
export async function startingPicture(ctx: BotContext, attachment: AttachmentLike | null, strength: number | null): Promise<StartingPicture | undefined> {
  if (!attachment) {
    if (strength !== null) throw new UserError(UserErrorId.BadInput, 'The strength option goes with a picture: attach the sketch or photo to start from.');
    return undefined;
  }
  const { bytes } = await fetchImageAttachment(attachment, downloadPolicy(ctx.config), HINT);
  // Stored as PNG with EXIF orientation applied, so the worker sees the picture as the member does.
  const png = await sharp(bytes).rotate().png().toBuffer({ resolveWithObject: true });
  const key = await ctx.blobs.put(png.data, 'png');
  return { init: { key, strength: strength ?? DEFAULT_START_STRENGTH }, shape: { width: png.info.width, height: png.info.height } };
}
