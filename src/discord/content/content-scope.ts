/**
 * The Discord side of the content controls: whether a channel is age-restricted (threads inherit
 * their parent's flag), the server's blocklist and safety-checker setting from Redis, and the
 * refusal a member sees. The decisions themselves are made by the pure core (content-policy.ts).
 */
import type { Channel } from 'discord.js';
import { checkTexts, safetyCheckerRuns, type ContentScope, type Refusal, type TextKind } from '../../core/content/content-policy.js';
import type { BotContext } from '../bot-context.js';
import { readGuildSettings } from '../stories/guild-settings.js';
import { UserError, UserErrorId } from '../user-error.js';

/** A request's content scope plus whether the safety checker runs on its renders. */
export interface ChannelContentScope extends ContentScope {
  safetyChecker: boolean;
}

/**
 * True when the channel is marked age-restricted (discord.js `nsfw`); a thread takes its parent's
 * flag. An unknown channel counts as not age-restricted, so the stricter rules apply.
 */
export function isAgeRestricted(channel: Channel | null | undefined): boolean {
  if (!channel) return false;
  if (channel.isThread()) return channel.parent !== null && 'nsfw' in channel.parent && channel.parent.nsfw === true;
  return 'nsfw' in channel && channel.nsfw === true;
}

/** What content checks read the server's settings through. */
export type ContentContext = Pick<BotContext, 'redis' | 'keyPrefix'> & Partial<Pick<BotContext, 'guildSettings'>>;

/**
 * The rules for a request made in `channel` of guild `guildId`, from the settings cache
 * (guild-settings-cache.ts) unless `fresh`: the last check before a render reads Redis itself.
 */
export async function contentScope(ctx: ContentContext, guildId: string | null | undefined, channel: Channel | null | undefined, fresh = false): Promise<ChannelContentScope> {
  const settings = ctx.guildSettings && !fresh
    ? await ctx.guildSettings.read(guildId ?? null)
    : await readGuildSettings(ctx.redis, ctx.keyPrefix, guildId ?? null);
  const ageRestricted = isAgeRestricted(channel);
  return { ageRestricted, serverTerms: settings.blocklist, safetyChecker: safetyCheckerRuns(ageRestricted, settings.safetyCheckerOffInAgeRestricted) };
}

/** What the refused text was, for the sentence: "That prompt", "That passage", ... */
export type TextRole = 'prompt' | 'passage' | 'style' | 'description' | 'refinement';

/** The private sentence for a refusal; it names the term, since only the member who typed it sees it. */
export function refusalSentence(refusal: Refusal, role: TextRole): string {
  return refusal.list === 'server'
    ? `That ${role} uses a word this server has blocked: "${refusal.term}". Reword it and try again.`
    : `That ${role} uses "${refusal.term}", which this server allows only in age-restricted channels. Reword it, or use an age-restricted channel.`;
}

/** A refusal that does not repeat the word, for answers others can see (a reply to a message). */
export function publicRefusalSentence(role: TextRole): string {
  return `That ${role} uses a word that is not allowed here, so I did not draw it; reword it and post it again.`;
}

/** Throws the member's refusal (UserErrorId.BlockedWord) when any of `texts` breaks a rule of `scope`. */
export function refuseBlockedText(scope: ContentScope, role: TextRole, texts: readonly { text: string | null | undefined; kind?: TextKind }[]): void {
  const refusal = checkTexts(scope, texts.filter((t) => t.text).map((t) => ({ text: t.text!, kind: t.kind ?? 'content' })));
  if (refusal) throw new UserError(UserErrorId.BlockedWord, refusalSentence(refusal, role), publicRefusalSentence(role));
}

/**
 * Reads the rules for `channel` and refuses `texts` that break them (UserErrorId.BlockedWord).
 * @example await refuseInChannel(ctx, interaction.guildId, interaction.channel, 'prompt', [{ text: prompt }])
 */
export async function refuseInChannel(
  ctx: ContentContext,
  guildId: string | null | undefined,
  channel: Channel | null | undefined,
  role: TextRole,
  texts: readonly { text: string | null | undefined; kind?: TextKind }[],
): Promise<ChannelContentScope> {
  const scope = await contentScope(ctx, guildId, channel);
  refuseBlockedText(scope, role, texts);
  return scope;
}
