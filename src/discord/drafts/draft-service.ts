/**
 * Queues drafts, refinements and upscales. A request becomes a Draft record, a message in the channel (the
 * "queued" view, which render progress and the result later edit), and a render job whose id is the
 * draft id. The message is posted before the job is queued so a result can never arrive for a draft
 * without a message; if queueing fails (queue full, Redis down) the message is removed again.
 */
import { randomBytes, randomInt } from 'node:crypto';
import sharp from 'sharp';
import type { BaseMessageOptions, Message } from 'discord.js';
import type { Config } from '../../config.js';
import { sizeForAspect } from '../../core/aspect-ratio.js';
import type { BudgetQuality } from '../../core/budget/budget-rule.js';
import type { Scene } from '../../core/story/scene.js';
import type { Draft } from '../../core/story/draft.js';
import type { Story } from '../../core/story/story.js';
import { negativeFor } from '../../core/content/content-policy.js';
import type { BotContext } from '../bot-context.js';
import { contentScope, refuseBlockedText, type ChannelContentScope } from '../content/content-scope.js';
import { UserError, UserErrorId } from '../user-error.js';
import { DraftLocations } from './draft-locations.js';
import { queuedView, type DraftViewInfo } from './draft-view.js';

/** Posts the first view of a draft and returns the message (interaction reply, channel.send, reply). */
export type PostDraft = (view: BaseMessageOptions) => Promise<Message>;

export interface DraftRequest {
  userId: string;
  guildId?: string;
  story?: Story;
  scene?: Scene;
  prompt: string;
  negative: string;
  seed?: number;
  steps?: number;
  quality?: BudgetQuality;
  /** Midjourney's `--ar W:H`: the picture keeps the base size's pixel count in this shape. */
  aspectRatio?: { width: number; height: number };
  /** The draft's message answers the requester directly (their /draw): they are not pinged again. */
  answersRequester?: boolean;
  /** A picture to start from (blob key) and how much of it to redraw. */
  init?: { key: string; strength: number };
}

export interface RefineRequest {
  userId: string;
  guildId?: string;
  parent: Draft;
  variant: number;
  prompt: string;
  negative: string;
  edits: string[];
  maskKey?: string;
  strength: number;
  /** The refinement is posted as a reply to the requester's own message: they are not pinged again. */
  answersRequester?: boolean;
}

export interface UpscaleRequest {
  userId: string;
  guildId?: string;
  parent: Draft;
  variant: number;
}

const UPSCALE_FACTOR = 2;
/** Low enough to keep the picture as it is, high enough to draw detail into the enlarged pixels. */
const UPSCALE_STRENGTH = 0.3;
const MAX_SIDE = 2048;

export const newId = () => randomBytes(8).toString('base64url');

/** A new draft record, queued, with no results yet. */
function queuedDraft(now: number, fields: Omit<Draft, 'id' | 'seeds' | 'status' | 'blobKeys' | 'createdAt'>): Draft {
  return { id: newId(), seeds: [], status: 'queued', blobKeys: [], createdAt: now, ...fields };
}

/** A story's drafts keep its picture size; other drafts use the configured size, rounded down to a multiple of 8. */
function draftSize(story: Story | undefined, config: Config): { width: number; height: number } {
  if (story) return { width: story.style.width, height: story.style.height };
  return { width: config.RENDER_WIDTH - (config.RENDER_WIDTH % 8), height: config.RENDER_HEIGHT - (config.RENDER_HEIGHT % 8) };
}
const newSeed = () => randomInt(0, 2 ** 32 - 1);

/**
 * What every render job of a draft starts with: its id (= the job id), requester, story lane and
 * channel, and the channel's content rules: the safety checker, and the default negative prompt
 * added outside age-restricted channels (to the job only; the draft keeps what the member wrote).
 */
function jobHeader(draft: Draft, guildId: string | undefined, channelId: string, scope: ChannelContentScope) {
  return {
    v: 1 as const, requestId: draft.id, userId: draft.requestedBy, storyId: draft.storyId, channel: { guildId, channelId }, draftId: draft.id,
    negative: negativeFor(scope.ageRestricted, draft.negativePrompt), safetyCheck: scope.safetyChecker,
  };
}

export class DraftService {
  readonly locations: DraftLocations;

  constructor(private readonly ctx: BotContext) {
    this.locations = new DraftLocations(ctx.redis, ctx.keyPrefix);
  }

  /** How a draft is titled in its message. */
  async heading(draft: Draft): Promise<string> {
    const picture = (draft.variantOf ?? 0) + 1;
    if (draft.origin === 'upscale') return `Upscale of picture ${picture}`;
    if (draft.origin === 'picked') return `Picture ${picture}`;
    if (draft.parentDraftId) return `Refinement of picture ${picture}`;
    const scene = draft.sceneId ? await this.ctx.stories.getScene(draft.sceneId) : undefined;
    return scene ? `Scene ${scene.index + 1}` : 'Drawing';
  }

  async viewInfo(draft: Draft): Promise<DraftViewInfo> {
    return { draft, heading: await this.heading(draft), variants: draft.blobKeys.length || (draft.parentDraftId ? 1 : 4) };
  }

  /** Queues one draft of 4 variants. */
  async queueDraft(req: DraftRequest, post: PostDraft): Promise<Draft> {
    const { ctx } = this;
    const style = req.story?.style;
    const draft = queuedDraft(ctx.now(), {
      storyId: req.story?.id,
      sceneId: req.scene?.id,
      requestedBy: req.userId,
      prompt: req.prompt,
      negativePrompt: req.negative,
      seed: req.seed ?? newSeed(),
      steps: req.steps ?? ctx.config.RENDER_STEPS,
      ...(req.answersRequester ? { answersRequester: true } : {}),
      ...(req.init ? { init: req.init } : {}),
    });
    return this.submit(req.guildId, draft, post, (channelId, scope) =>
      ctx.queue.enqueue('draft', {
        ...jobHeader(draft, req.guildId, channelId, scope),
        sceneId: draft.sceneId,
        prompt: draft.prompt,
        seed: draft.seed,
        steps: req.steps,
        quality: req.quality ?? ctx.config.BUDGET_QUALITY,
        guidance: style?.guidance,
        scheduler: style?.scheduler,
        ...(req.aspectRatio ? sizeForAspect(draftSize(req.story, ctx.config), req.aspectRatio) : draftSize(req.story, ctx.config)),
        variants: 4,
        init: req.init,
      }),
    );
  }

  /** Queues an img2img or inpaint of one variant of a finished draft. */
  async queueRefine(req: RefineRequest, post: PostDraft): Promise<Draft> {
    const { ctx } = this;
    const sourceKey = req.parent.blobKeys[req.variant];
    if (req.parent.status !== 'done' || !sourceKey) {
      throw new UserError(UserErrorId.DraftNotReady, 'That draft has no finished pictures yet; wait for it, then refine it.');
    }
    const draft = queuedDraft(ctx.now(), {
      storyId: req.parent.storyId,
      sceneId: req.parent.sceneId,
      requestedBy: req.userId,
      prompt: req.prompt,
      negativePrompt: req.negative,
      seed: newSeed(),
      steps: req.parent.steps,
      parentDraftId: req.parent.id,
      variantOf: req.variant,
      ...(req.answersRequester ? { answersRequester: true } : {}),
    });
    return this.submit(req.guildId, draft, post, (channelId, scope) =>
      ctx.queue.enqueue('refine', {
        ...jobHeader(draft, req.guildId, channelId, scope),
        sourceDraftId: req.parent.id,
        sourceKey,
        variant: req.variant,
        mask: req.maskKey ? { maskKey: req.maskKey } : undefined,
        strength: req.strength,
        prompt: draft.prompt,
        edits: req.edits,
        seed: draft.seed,
        steps: draft.steps,
      }),
    );
  }

  /** Queues a 2x upscale of one picture of a finished draft (refused when it would pass 2048 pixels). */
  async queueUpscale(req: UpscaleRequest, post: PostDraft): Promise<Draft> {
    const { ctx } = this;
    const sourceKey = req.parent.blobKeys[req.variant];
    if (req.parent.status !== 'done' || !sourceKey) throw new UserError(UserErrorId.DraftNotReady, 'That picture is not finished yet; upscale it once it is posted.');
    const { width = 0, height = 0 } = await sharp(await ctx.blobs.get(sourceKey)).metadata();
    if (width * UPSCALE_FACTOR > MAX_SIDE || height * UPSCALE_FACTOR > MAX_SIDE) {
      throw new UserError(UserErrorId.BadInput, `That picture is already ${width}x${height}; upscaled pictures can be at most ${MAX_SIDE} pixels on a side.`);
    }
    const story = req.parent.storyId ? await ctx.stories.getStory(req.parent.storyId) : undefined;
    const draft = queuedDraft(ctx.now(), {
      storyId: req.parent.storyId,
      requestedBy: req.userId,
      prompt: req.parent.prompt,
      negativePrompt: req.parent.negativePrompt,
      seed: req.parent.seeds[req.variant] ?? req.parent.seed,
      steps: req.parent.steps,
      parentDraftId: req.parent.id,
      variantOf: req.variant,
      origin: 'upscale',
    });
    return this.submit(req.guildId, draft, post, (channelId, scope) =>
      ctx.queue.enqueue('upscale', {
        ...jobHeader(draft, req.guildId, channelId, scope),
        sourceKey,
        scale: UPSCALE_FACTOR,
        strength: UPSCALE_STRENGTH,
        prompt: draft.prompt,
        seed: draft.seed,
        quality: ctx.config.BUDGET_QUALITY,
        guidance: story?.style.guidance,
        scheduler: story?.style.scheduler,
      }),
    );
  }

  /**
   * Queues a failed draft's request again (a Retry button): the same job payload under a new draft
   * id, read back from the failed job, which the queue keeps for a week.
   */
  async retry(failed: Draft, post: PostDraft): Promise<Draft> {
    const { ctx } = this;
    if (failed.status !== 'failed') throw new UserError(UserErrorId.DraftNotReady, 'Only a draft that failed can be retried; use Reroll for a new version.');
    const job = await ctx.queue.queue.getJob(failed.id);
    if (!job || (job.name !== 'draft' && job.name !== 'refine' && job.name !== 'upscale')) {
      throw new UserError(UserErrorId.NoSuchDraft, 'That request is too old to retry; please ask for it again.');
    }
    const { id: _id, seeds: _s, status: _st, blobKeys: _b, createdAt: _c, messageId: _m, gridKey: _g, ...fields } = failed;
    const draft = queuedDraft(ctx.now(), fields);
    const data = job.data as { channel: object };
    // The failed job's own content rules (its negative, its safety check) are kept as they were.
    return this.submit((data.channel as { guildId?: string }).guildId, draft, post, (channelId) =>
      ctx.queue.enqueue(job.name as 'draft', { ...(job.data as object), requestId: draft.id, draftId: draft.id, channel: { ...data.channel, channelId } } as never),
    );
  }

  private async submit(
    guildId: string | undefined,
    draft: Draft,
    post: PostDraft,
    enqueue: (channelId: string, scope: ChannelContentScope) => Promise<{ position: { position: number | null; etaDoneMs: number | null } }>,
  ): Promise<Draft> {
    const { ctx } = this;
    await ctx.stories.saveDraft(draft);
    const info = await this.viewInfo(draft);
    const message = await post(queuedView(info, null, null));
    const located: Draft = { ...draft, messageId: message.id };
    await ctx.stories.saveDraft(located);
    await this.locations.set(draft.id, { channelId: message.channelId, messageId: message.id });
    let job;
    try {
      // The rules of the channel the draft is posted in (a thread takes its parent's age restriction).
      // Every request was checked where it came in; this catches what reaches here another way: a
      // Reroll, Variations or Retry of a draft made before an admin blocked one of its words. Read
      // fresh from Redis: the cached copy the first check used may be seconds older than a /settings.
      const scope = await contentScope(ctx, guildId, message.channel, true);
      refuseBlockedText(scope, 'prompt', [{ text: draft.prompt }, { text: draft.negativePrompt, kind: 'negative' }]);
      job = await enqueue(message.channelId, scope);
    } catch (error) {
      await ctx.stories.saveDraft({ ...located, status: 'failed' }).catch(() => {});
      await message.delete().catch(() => {});
      throw error;
    }
    // Edit in the position unless the render already moved the message on; the queue watch keeps it fresh.
    const { position, etaDoneMs } = job.position;
    const shown = await ctx.progress.showQueued(draft.id, queuedView(info, position, etaDoneMs)).catch((e: unknown) => {
      ctx.log.warn({ err: e }, 'could not show the queue position');
      return false;
    });
    if (shown) ctx.queueWatch.shown(draft.id, position, etaDoneMs);
    return located;
  }
}
