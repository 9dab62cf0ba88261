/**
 * A Draft is one render request and what came of it: the prompt as sent, the seeds of its variants,
 * the step count, and the blob keys of the images once they exist. A Panel is the one variant of a
 * draft that the group chose for a scene. A picked picture (Pick on a drawing outside the story plan) and
 * an upscale are drafts of one picture too, so every button and reply works on them the same way.
 */
import { z } from 'zod';

export const draftStatusSchema = z.enum(['queued', 'rendering', 'done', 'failed', 'cancelled']);
export type DraftStatus = z.infer<typeof draftStatusSchema>;

export const draftSchema = z.object({
  id: z.string().min(1).max(100),
  storyId: z.string().min(1).max(100).optional(),
  sceneId: z.string().min(1).max(100).optional(),
  /** Discord user id of the member who asked for it. */
  requestedBy: z.string().min(1).max(100),
  prompt: z.string().max(4000),
  negativePrompt: z.string().max(2000),
  /** Base seed; variant i renders with variantSeed(seed, i). */
  seed: z.number().int().min(0).max(2 ** 32 - 1),
  /** The seed each variant actually used, in variant order. */
  seeds: z.array(z.number().int().min(0).max(2 ** 32 - 1)).max(16),
  steps: z.number().int().min(1).max(1000),
  /** What the step-budget predictor suggested, when it was asked. */
  predictedSteps: z.number().int().min(1).max(1000).optional(),
  status: draftStatusSchema,
  /** One image per variant, in variant order, once rendered. */
  blobKeys: z.array(z.string().max(200)).max(16),
  /** The variants side by side, as posted in Discord. */
  gridKey: z.string().max(200).optional(),
  messageId: z.string().max(100).optional(),
  /** The draft this one refines (img2img / inpaint of one of its variants). */
  parentDraftId: z.string().max(100).optional(),
  /** Which variant of the parent draft was refined. */
  variantOf: z.number().int().nonnegative().optional(),
  createdAt: z.number().int().nonnegative(),
  /** One picture picked out of a draft and posted full size, or an upscale; absent for renders of a prompt. */
  origin: z.enum(['picked', 'upscale']).optional(),
  /** Who pressed Pick, for a picked picture (the requester stays the member who asked for the draft). */
  pickedBy: z.string().max(100).optional(),
  /** The draft's message itself answers the requester (their /draw, a reply to their message): no extra ping. */
  answersRequester: z.boolean().optional(),
  /** The picture a render started from (img2img from an attachment) and how much of it was redrawn. */
  init: z.object({ key: z.string().max(200), strength: z.number().gt(0).max(1) }).optional(),
});
export type Draft = z.infer<typeof draftSchema>;

export const panelSchema = z.object({
  draftId: z.string().min(1).max(100),
  variant: z.number().int().nonnegative(),
  blobKey: z.string().min(1).max(200),
  /** When the vote closed (ms since the epoch). */
  chosenAt: z.number().int().nonnegative(),
  /** How many members voted for this variant. */
  votes: z.number().int().nonnegative(),
});
export type Panel = z.infer<typeof panelSchema>;
