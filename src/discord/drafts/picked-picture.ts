/**
 * Pick on a drawing outside the story plan (Midjourney's U1-U4): the chosen picture is posted full
 * size as its own message, crediting who asked for the drawing and who picked it, with its own
 * buttons (Variations, Refine, Animate, Upscale). The picture becomes a one-picture draft record, so
 * those buttons and replies work on it like on any draft, also after a restart. Picking the same
 * picture again points to the message already posted instead of posting it twice.
 */
import type { Message } from 'discord.js';
import type { Draft } from '../../core/story/draft.js';
import type { BotContext } from '../bot-context.js';
import { UserError, UserErrorId } from '../user-error.js';
import { newId } from './draft-service.js';
import { doneView } from './draft-view.js';
import { postBotMessage } from './message-post.js';

const TTL_SECONDS = 90 * 24 * 3600;

export type PickedOutcome = { posted: Message } | { alreadyAt?: string };

/** Posts picture `variant` of `parent` in `channelId` as a reply to the draft message `replyTo`. */
export async function postPickedPicture(ctx: BotContext, parent: Draft, variant: number, pickerId: string, channelId: string, replyTo: string): Promise<PickedOutcome> {
  const key = parent.blobKeys[variant];
  if (parent.status !== 'done' || !key) throw new UserError(UserErrorId.DraftNotReady, 'That drawing is not finished yet.');
  const picked: Draft = {
    id: newId(),
    storyId: parent.storyId,
    requestedBy: parent.requestedBy,
    prompt: parent.prompt,
    negativePrompt: parent.negativePrompt,
    seed: parent.seeds[variant] ?? parent.seed,
    seeds: parent.seeds[variant] === undefined ? [] : [parent.seeds[variant]!],
    steps: parent.steps,
    status: 'done',
    blobKeys: [key],
    parentDraftId: parent.id,
    variantOf: variant,
    origin: 'picked',
    pickedBy: pickerId,
    createdAt: ctx.now(),
  };
  const claim = `${ctx.keyPrefix}picked:${parent.id}:${variant}`;
  if ((await ctx.redis.set(claim, picked.id, 'EX', TTL_SECONDS, 'NX')) !== 'OK') {
    const earlier = await ctx.redis.get(claim);
    const at = earlier ? await ctx.drafts.locations.of(earlier) : undefined;
    return { alreadyAt: at && (await messageUrl(ctx, at.channelId, at.messageId)) };
  }
  try {
    await ctx.stories.saveDraft(picked);
    const info = await ctx.drafts.viewInfo(picked);
    const view = doneView(info, { grid: await ctx.blobs.get(key), steps: picked.steps, warnings: [], voting: false });
    const posted = await postBotMessage(ctx.client, channelId, view, replyTo);
    await ctx.drafts.locations.set(picked.id, { channelId: posted.channelId, messageId: posted.id });
    await ctx.stories.saveDraft({ ...picked, messageId: posted.id });
    return { posted };
  } catch (error) {
    await ctx.redis.del(claim);
    throw error;
  }
}

async function messageUrl(ctx: BotContext, channelId: string, messageId: string): Promise<string | undefined> {
  const channel = await ctx.client.channels.fetch(channelId).catch(() => null);
  return channel && 'guildId' in channel && channel.guildId ? `https://discord.com/channels/${channel.guildId}/${channelId}/${messageId}` : undefined;
}
