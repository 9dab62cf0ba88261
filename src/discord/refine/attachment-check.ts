/**
 * Checks and fetches files members attach (a mask, a painted copy, a reference picture, a picture to
 * start from, a clip).
 * Downloads come only from the hosts in ATTACHMENT_HOSTS (Discord's CDN by default), so a forged
 * attachment URL cannot make the bot fetch from anywhere else; they stop at the size limit while
 * streaming (a 50 MB file is never held whole) and after ATTACHMENT_TIMEOUT_MS. Pictures are then
 * inspected by their bytes and header before anything decodes them (src/media/picture-check.ts).
 * Each refusal is a UserError saying what to send instead.
 */
import type { Config } from '../../config.js';
import { inspectPicture, PictureRefusedError, type PictureFacts } from '../../media/picture-check.js';
import { UserError, UserErrorId } from '../user-error.js';

export interface AttachmentLike {
  name: string;
  url: string;
  size: number;
  contentType: string | null;
}

/** Where attachments may come from, how large they may be and how long a download may take. */
export interface DownloadPolicy {
  hosts: readonly string[];
  limitBytes: number;
  timeoutMs: number;
}

export function downloadPolicy(config: Pick<Config, 'ATTACHMENT_HOSTS' | 'ATTACHMENT_TIMEOUT_MS' | 'UPLOAD_LIMIT_BYTES'>): DownloadPolicy {
  return { hosts: config.ATTACHMENT_HOSTS, limitBytes: config.UPLOAD_LIMIT_BYTES, timeoutMs: config.ATTACHMENT_TIMEOUT_MS };
}

/** "4 KB", "1.5 MB", "10 MB". */
const fileSize = (n: number) => (n < 1024 * 1024 ? `${Math.ceil(n / 1024)} KB` : `${Number((n / 1024 / 1024).toFixed(1))} MB`);

/** True when `url` is http(s) on one of the allowed hosts. */
export function isAllowedAttachmentUrl(url: string, hosts: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && hosts.includes(parsed.hostname.toLowerCase());
}

/** Downloads an attachment's bytes within `policy`; the size Discord announced is checked first. */
export async function downloadAttachment(attachment: Pick<AttachmentLike, 'name' | 'url' | 'size'>, policy: DownloadPolicy): Promise<Buffer> {
  if (!isAllowedAttachmentUrl(attachment.url, policy.hosts)) {
    throw new UserError(UserErrorId.BadAttachment, `"${attachment.name}" does not come from Discord, so I did not open it; attach the file itself.`);
  }
  const tooLarge = (size?: number) =>
    new UserError(UserErrorId.FileTooLarge, `"${attachment.name}" is ${size ? fileSize(size) : `over ${fileSize(policy.limitBytes)}`}; attachments can be at most ${fileSize(policy.limitBytes)}, so send a smaller file.`);
  if (attachment.size > policy.limitBytes) throw tooLarge(attachment.size);
  const signal = AbortSignal.timeout(policy.timeoutMs);
  try {
    const response = await fetch(attachment.url, { signal, redirect: 'error' });
    if (!response.ok || !response.body) throw new UserError(UserErrorId.BadAttachment, `I could not download "${attachment.name}" (HTTP ${response.status}); attach it again.`);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of response.body) {
      total += chunk.length;
      if (total > policy.limitBytes) {
        await response.body.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  } catch (error) {
    if (error instanceof UserError) throw error;
    if (signal.aborted) throw new UserError(UserErrorId.BadAttachment, `Downloading "${attachment.name}" took longer than ${Math.round(policy.timeoutMs / 1000)} s; try a smaller file.`);
    throw new UserError(UserErrorId.BadAttachment, `I could not download "${attachment.name}"; attach it again.`);
  }
}

const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
/** What to attach, said in the refusal when a picture will not do; masks by default. */
const MASK_HINT = 'attach a mask (white = repaint) or the draft painted over';

/**
 * Downloads `attachment` and checks it is a still PNG, JPEG or WebP picture of a sane size; `hint`
 * says what to attach instead when it is not a picture.
 */
export async function fetchImageAttachment(attachment: AttachmentLike, policy: DownloadPolicy, hint = MASK_HINT): Promise<{ bytes: Buffer; picture: PictureFacts }> {
  const type = attachment.contentType?.split(';')[0]?.trim().toLowerCase();
  const claimsPicture = type !== undefined && IMAGE_TYPES.includes(type);
  const bytes = await downloadAttachment(attachment, policy);
  try {
    return { bytes, picture: await inspectPicture(bytes, attachment.name, { still: true, hint, claimsPicture }) };
  } catch (error) {
    if (error instanceof PictureRefusedError) throw new UserError(UserErrorId.BadAttachment, error.message);
    throw error;
  }
}
