/**
 * What a render job carries. Every job name has one zod schema with a version field (`v: 1`), so a
 * worker that meets a payload it does not understand fails it at once with a sentence a user can
 * read instead of crashing half-way. Every payload names its user and story (or the user's 'solo'
 * lane) for fair scheduling, and a `requestId` that becomes the BullMQ job id (idempotent enqueue).
 */
import { z } from 'zod';
import { BUDGET_QUALITIES } from '../core/budget/budget-rule.js';
import { CAMERA_MOTIONS } from '../core/camera-motion.js';
import { SCHEDULER_NAMES } from '../core/schedulers/index.js';

/** The job names the render queue knows; workers register one handler per name. */
export const JOB_NAMES = ['draft', 'refine', 'upscale', 'animate', 'stylize', 'storyboard'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** Content-addressed blob key: sha256 hex + extension, as written by a BlobStore. */
export const blobKeySchema = z.string().regex(/^[0-9a-f]{64}\.[a-z0-9]{1,8}$/, 'not a blob key');

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ or - (at most 64)');
const size = z.number().int().min(64).max(2048).refine((n) => n % 8 === 0, 'must be a multiple of 8');
const schedulerName = z.enum(SCHEDULER_NAMES);

/** Where the result goes back to in Discord. */
export const channelContextSchema = z.object({
  guildId: z.string().optional(),
  channelId: z.string().min(1),
  threadId: z.string().optional(),
  messageId: z.string().optional(),
  interactionToken: z.string().optional(),
});

const common = {
  v: z.literal(1),
  requestId: id,
  userId: z.string().min(1).max(32),
  storyId: id.optional(),
  channel: channelContextSchema,
};

const renderKnobs = {
  seed: z.number().int().min(0).max(0xffff_ffff),
  /** Run the model's safety checker (when it has one) and blur flagged pictures; off only where an admin allowed it. */
  safetyCheck: z.boolean().default(true),
  steps: z.number().int().min(1).max(200).optional(),
  quality: z.enum(BUDGET_QUALITIES).optional(),
  guidance: z.number().min(0).max(30).optional(),
  scheduler: schedulerName.optional(),
};

export const draftPayloadSchema = z.object({
  ...common,
  draftId: id,
  sceneId: id.optional(),
  prompt: z.string().min(1).max(2000),
  negative: z.string().max(2000).default(''),
  ...renderKnobs,
  width: size,
  height: size,
  variants: z.number().int().min(1).max(4),
  /** A picture to start from (img2img): scaled to cover the draft's size, `strength` of it redrawn. */
  init: z.object({ key: blobKeySchema, strength: z.number().min(0.05).max(1) }).optional(),
});

/** Inpaint (with a mask) or img2img (without) on one variant of an earlier draft. */
export const refinePayloadSchema = z.object({
  ...common,
  draftId: id,
  sourceDraftId: id.optional(),
  sourceKey: blobKeySchema,
  variant: z.number().int().min(0).max(3),
  mask: z
    .union([z.object({ maskKey: blobKeySchema }), z.object({ region: z.string().min(1).max(200) })])
    .optional(),
  strength: z.number().gt(0).max(1),
  prompt: z.string().min(1).max(2000),
  negative: z.string().max(2000).default(''),
  /** What the user changed, for the result message ("+ red scarf", "- hat"). */
  edits: z.array(z.string().max(200)).max(20).default([]),
  ...renderKnobs,
});

/**
 * A 2x enlargement of one finished picture, redrawn at low strength (img2img) so the new pixels get
 * detail; the worker redraws it in overlapping tiles when it is larger than the model's native size.
 */
export const upscalePayloadSchema = z.object({
  ...common,
  draftId: id,
  sourceKey: blobKeySchema,
  scale: z.literal(2).default(2),
  strength: z.number().min(0.05).max(0.6).default(0.3),
  prompt: z.string().min(1).max(2000),
  negative: z.string().max(2000).default(''),
  ...renderKnobs,
});

/** Camera moves over one panel, plus the multi-panel slideshow motions. */
export const ANIMATE_MOTIONS = [...CAMERA_MOTIONS, 'ken-burns', 'crossfade'] as const;

export const animatePayloadSchema = z.object({
  ...common,
  panelKeys: z.array(blobKeySchema).min(1).max(32),
  motion: z.enum(ANIMATE_MOTIONS),
  seconds: z.number().min(1).max(60),
  fps: z.number().int().min(4).max(30).default(12),
  format: z.enum(['mp4', 'gif', 'webp']).default('mp4'),
  /** The panel's own prompt and seed: keyframes are redrawn at low strength with shared noise. */
  prompt: z.string().min(1).max(2000).optional(),
  negative: z.string().max(2000).optional(),
  seed: z.number().int().min(0).max(0xffff_ffff).optional(),
  strength: z.number().min(0.05).max(0.6).optional(),
  /** Screen the keyframes the model redraws with its safety checker (when it has one), as drafts are. */
  safetyCheck: z.boolean().default(true),
});

export const stylizePayloadSchema = z.object({
  ...common,
  sourceKey: blobKeySchema,
  style: z.string().min(1).max(500),
  strength: z.number().gt(0).max(1).default(0.5),
  seed: z.number().int().min(0).max(0xffff_ffff),
  /** Screen every restyled frame with the model's safety checker (when it has one), as drafts are. */
  safetyCheck: z.boolean().default(true),
});

/** Export of a story: a contact sheet, a slideshow video, or an HTML picture book. */
export const storyboardPayloadSchema = z.object({
  ...common,
  storyId: id,
  title: z.string().min(1).max(200),
  format: z.enum(['sheet', 'slideshow', 'html']),
  panels: z
    .array(z.object({ sceneId: id, blobKey: blobKeySchema, caption: z.string().max(2000).default('') }))
    .min(1)
    .max(200),
});

export const payloadSchemas = {
  draft: draftPayloadSchema,
  refine: refinePayloadSchema,
  upscale: upscalePayloadSchema,
  animate: animatePayloadSchema,
  stylize: stylizePayloadSchema,
  storyboard: storyboardPayloadSchema,
} as const;

export type DraftPayload = z.infer<typeof draftPayloadSchema>;
export type RefinePayload = z.infer<typeof refinePayloadSchema>;
export type UpscalePayload = z.infer<typeof upscalePayloadSchema>;
export type AnimatePayload = z.infer<typeof animatePayloadSchema>;
export type StylizePayload = z.infer<typeof stylizePayloadSchema>;
export type StoryboardPayload = z.infer<typeof storyboardPayloadSchema>;
export interface PayloadOf {
  draft: DraftPayload;
  refine: RefinePayload;
  upscale: UpscalePayload;
  animate: AnimatePayload;
  stylize: StylizePayload;
  storyboard: StoryboardPayload;
}
/** What callers pass in (defaults not yet applied). */
export type PayloadInput<N extends JobName> = z.input<(typeof payloadSchemas)[N]>;

export function isJobName(name: string): name is JobName {
  return (JOB_NAMES as readonly string[]).includes(name);
}

/** The fairness lane of a payload: its story, or the user's solo lane when it has none. */
export function storyLane(payload: { userId: string; storyId?: string }): string {
  return payload.storyId ?? `solo:${payload.userId}`;
}

/**
 * Validates `data` as the payload of job `name`. Returns the parsed payload, or one sentence saying
 * what is wrong (e.g. 'The draft request is not valid: width must be a multiple of 8.').
 */
export function parsePayload<N extends JobName>(
  name: N,
  data: unknown,
): { ok: true; payload: PayloadOf[N] } | { ok: false; reason: string } {
  if (typeof data === 'object' && data !== null && 'v' in data && (data as { v: unknown }).v !== 1) {
    return { ok: false, reason: `The ${name} request uses payload version ${String((data as { v: unknown }).v)}, which this worker does not understand.` };
  }
  const result = payloadSchemas[name].safeParse(data);
  if (result.success) return { ok: true, payload: result.data as PayloadOf[N] };
  const issue = result.error.issues[0]!;
  const where = issue.path.length > 0 ? `${issue.path.join('.')} ` : '';
  return { ok: false, reason: `The ${name} request is not valid: ${where}${issue.message.toLowerCase()}.` };
}
