/**
 * Turns a member's refine request — instruction lines, an optional region, an optional attached mask
 * or painted copy — into a queued refine of one variant. Shared by replies to draft messages, the
 * Refine modal (button and context menu) and /refine. Masks are made here, in the bot, because they
 * are small: region words via the pure core, uploads decoded with sharp and compared to the variant.
 */
import sharp from 'sharp';
import type { Draft } from '../../core/story/draft.js';
import type { GrayImage } from '../../core/image.js';
import { REGION_NAMES, regionMask } from '../../core/refine/region-mask.js';
import { applyRefinement, isEmptyRefinement, parseRefineInstructions } from '../../core/refine/refine-instructions.js';
import { maskFromUpload } from '../../core/refine/upload-mask.js';
import type { ContentScope } from '../../core/content/content-policy.js';
import type { BotContext } from '../bot-context.js';
import { refuseBlockedText } from '../content/content-scope.js';
import type { PostDraft } from '../drafts/draft-service.js';
import { UserError, UserErrorId } from '../user-error.js';
import { decodeLimited } from '../../media/picture-check.js';
import { downloadPolicy, fetchImageAttachment, type AttachmentLike } from './attachment-check.js';

export interface RefineInput {
  userId: string;
  guildId?: string;
  /** The content rules of the channel the request came from. */
  scope: ContentScope;
  parent: Draft;
  /** Instruction lines (`no: text`, `more: dragon`, ...). */
  text: string;
  /** 0-based; else the one the text names, else the chosen panel's, else 0. */
  variant?: number;
  region?: string;
  attachment?: AttachmentLike;
  /** The refinement is posted as a reply to the requester's own message (no second ping). */
  answersRequester?: boolean;
}

async function rgb(bytes: Buffer, width: number, height: number) {
  const { data } = await sharp(bytes, decodeLimited()).rotate().removeAlpha().resize(width, height, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true }).catch(() => {
    throw new UserError(UserErrorId.BadAttachment, 'That picture is damaged or cut short, so I could not read it; export it again as PNG.');
  });
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

async function maskPng(mask: GrayImage): Promise<Buffer> {
  return sharp(Buffer.from(mask.data), { raw: { width: mask.width, height: mask.height, channels: 1 } }).png().toBuffer();
}

export async function refineDraft(ctx: BotContext, input: RefineInput, post: PostDraft): Promise<Draft> {
  const instructions = parseRefineInstructions(input.text);
  if (input.region) instructions.region = input.region;
  refuseBlockedText(input.scope, 'refinement', [
    ...[...instructions.add, ...instructions.more, ...instructions.less].map((text) => ({ text })),
    ...instructions.no.map((text) => ({ text, kind: 'negative' as const })),
  ]);
  if (isEmptyRefinement(instructions) && !input.attachment) {
    throw new UserError(UserErrorId.EmptyRefinement, 'Say what to change: attach a mask, or write lines like `no: text`, `more: dragon`, `add: a red kite`, `region: top left`.');
  }
  const panelVariant = input.parent.sceneId ? (await ctx.stories.getScene(input.parent.sceneId))?.panel : undefined;
  const variant = input.variant ?? (instructions.variant !== undefined ? instructions.variant - 1 : panelVariant?.draftId === input.parent.id ? panelVariant.variant : 0);
  const sourceKey = input.parent.blobKeys[variant];
  if (input.parent.status !== 'done' || !sourceKey) {
    throw new UserError(UserErrorId.DraftNotReady, input.parent.status === 'done' ? `That draft has no picture ${variant + 1}.` : 'That draft is not finished yet; refine it once its pictures are posted.');
  }
  const source = await ctx.blobs.get(sourceKey);
  const meta = await sharp(source).metadata();
  const width = meta.width ?? 64;
  const height = meta.height ?? 64;
  let mask: GrayImage | undefined;
  if (input.attachment) {
    const upload = await fetchImageAttachment(input.attachment, downloadPolicy(ctx.config));
    const { width: w, height: h } = upload.picture;
    // Any scale is fine (it is resized); another shape would stretch the mask over the wrong place.
    if (Math.abs((w / h) / (width / height) - 1) > 0.02) {
      throw new UserError(UserErrorId.BadAttachment, `The mask is ${w}x${h} but the draft is ${width}x${height}; attach a mask (or painted copy) of the same shape.`);
    }
    const read = maskFromUpload(await rgb(upload.bytes, width, height), await rgb(source, width, height));
    if (read.coverage === 0) throw new UserError(UserErrorId.BadAttachment, 'The picture marks nothing to repaint: paint the area white on black, or paint over the draft in a bright colour.');
    mask = read.mask;
  } else if (instructions.region) {
    mask = regionMask(instructions.region, width, height);
    if (!mask) throw new UserError(UserErrorId.BadRegion, `"${instructions.region}" is not a region I know; try one of: ${REGION_NAMES.join(', ')}.`);
  }
  const maskKey = mask ? await ctx.blobs.put(await maskPng(mask), 'png') : undefined;
  const edited = applyRefinement(input.parent.prompt, input.parent.negativePrompt, instructions);
  return ctx.drafts.queueRefine(
    { userId: input.userId, guildId: input.guildId, parent: input.parent, variant, prompt: edited.prompt, negative: edited.negative, edits: edited.edits, maskKey, strength: maskKey ? 0.85 : 0.6, answersRequester: input.answersRequester },
    post,
  );
}
