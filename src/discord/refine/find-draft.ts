/**
 * Finds the draft a member means in /refine: a message link or message id of a draft message, a
 * draft id, or — when nothing is given — the newest finished draft in this channel's story.
 */
import type { Draft } from '../../core/story/draft.js';
import type { BotContext } from '../bot-context.js';
import { UserError, UserErrorId } from '../user-error.js';

export async function findDraft(ctx: BotContext, ref: string | null, storyId?: string): Promise<Draft> {
  if (ref) {
    const messageId = /(\d{5,25})\/?$/.exec(ref.trim())?.[1];
    const viaMessage = messageId ? await ctx.drafts.locations.draftOfMessage(messageId) : null;
    const draft = await ctx.stories.getDraft(viaMessage ?? ref.trim());
    if (draft) return draft;
    throw new UserError(UserErrorId.NoSuchDraft, 'I cannot find that draft; paste the link of a draft message (right click > Copy Message Link).');
  }
  const drafts = storyId ? await ctx.stories.listDrafts(storyId) : [];
  const newest = drafts.filter((d) => d.status === 'done').at(-1);
  if (!newest) throw new UserError(UserErrorId.NoSuchDraft, 'There is no finished draft here yet; give the `draft` option a draft message link.');
  return newest;
}
