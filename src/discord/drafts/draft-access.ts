/**
 * Server-side check for every button and form that names a draft in its custom_id: the draft must
 * have been posted in the server the click comes from (and, for buttons, on the very message
 * clicked). A forged or stale custom_id naming another server's draft, or a draft that never
 * existed, gets the same "not here" sentence, so nothing about other servers leaks.
 */
import type { Draft } from '../../core/story/draft.js';
import type { BotContext } from '../bot-context.js';
import { UserError, UserErrorId } from '../user-error.js';

const NOT_HERE = 'I no longer have that draft, or it is not from this server; use the buttons under a draft here.';

/** The draft `draftId` if it lives in `guildId` (and on `messageId` when given); else a UserError. */
export async function draftHere(ctx: BotContext, draftId: string, guildId: string | null, messageId?: string): Promise<Draft> {
  const draft = await ctx.stories.getDraft(draftId);
  const at = draft ? await ctx.drafts.locations.of(draft.id) : undefined;
  if (!draft || !at || !guildId) throw new UserError(UserErrorId.NoSuchDraft, NOT_HERE);
  if (messageId !== undefined && at.messageId !== messageId) throw new UserError(UserErrorId.NoSuchDraft, NOT_HERE);
  const channel = await ctx.client.channels.fetch(at.channelId).catch(() => null);
  const draftGuild = channel && 'guildId' in channel ? channel.guildId : undefined;
  if (draftGuild !== guildId) throw new UserError(UserErrorId.NoSuchDraft, NOT_HERE);
  return draft;
}
