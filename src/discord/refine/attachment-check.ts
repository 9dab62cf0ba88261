/**
 * Checks and fetches an image a member attached (a mask, a painted copy, a reference, a picture to
 * start from): it must be a PNG, JPEG or WebP under the upload limit, at most MAX_SIDE pixels on a
 * side, and it must decode. Each refusal is a UserError saying what to send instead.
 */
import sharp from 'sharp';
import { UserError, UserErrorId } from '../user-error.js';

export interface AttachmentLike {
  name: string;
  url: string;
  size: number;
  contentType: string | null;
}

const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
/** Larger pictures cost memory to decode and are scaled down to the render size anyway. */
const MAX_SIDE = 4096;
/** What to attach, said in the refusal when a picture will not do; masks by default. */
const MASK_HINT = 'attach a mask (white = repaint) or the draft painted over';
/** A download from Discord's CDN that takes longer than this is given up. */
const DOWNLOAD_TIMEOUT_MS = 30_000;

/**
 * Downloads an attachment's bytes. The size Discord announced is checked by the caller; this checks
 * the bytes that actually arrived against `limitBytes` too, and gives up after DOWNLOAD_TIMEOUT_MS.
 */
export async function downloadAttachment(attachment: Pick<AttachmentLike, 'name' | 'url'>, limitBytes: number): Promise<Buffer> {
  const response = await fetch(attachment.url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`attachment download failed with HTTP ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > limitBytes) throw new UserError(UserErrorId.FileTooLarge, `"${attachment.name}" is larger than ${(limitBytes / 1024 / 1024).toFixed(0)} MB.`);
  return bytes;
}

/** Validates `attachment` and returns its bytes. */
export async function fetchImageAttachment(attachment: AttachmentLike, limitBytes: number, hint = MASK_HINT): Promise<Buffer> {
  const type = attachment.contentType?.split(';')[0]?.trim().toLowerCase();
  if (!type || !IMAGE_TYPES.includes(type)) {
    throw new UserError(UserErrorId.BadAttachment, `"${attachment.name}" is not a PNG, JPEG or WebP picture; ${hint}.`);
  }
  if (attachment.size > limitBytes) {
    throw new UserError(UserErrorId.FileTooLarge, `"${attachment.name}" is ${(attachment.size / 1024 / 1024).toFixed(1)} MB; pictures can be at most ${(limitBytes / 1024 / 1024).toFixed(0)} MB.`);
  }
  const bytes = await downloadAttachment(attachment, limitBytes);
  let size: { width?: number; height?: number };
  try {
    size = await sharp(bytes).metadata();
  } catch {
    throw new UserError(UserErrorId.BadAttachment, `"${attachment.name}" could not be read as a picture; export it again as PNG.`);
  }
  if ((size.width ?? 0) > MAX_SIDE || (size.height ?? 0) > MAX_SIDE) {
    throw new UserError(UserErrorId.BadAttachment, `"${attachment.name}" is ${size.width}x${size.height} pixels; send a picture at most ${MAX_SIDE} pixels on a side.`);
  }
  return bytes;
}
