/**
 * The MESSAGE_CREATE listener: a reply to a draft message refines it (instruction lines and/or an
 * attached mask or painted copy; the refined draft is posted as a reply), and — when the bot may read
 * messages — any other message in a story thread is a passage to illustrate. Failures are answered
 * with a short reply, since messages have no ephemeral answers. Both spend one of the member's
 * rate-limit tokens; other messages cost nothing.
 */
import type { Message } from 'discord.js';
import type { BotContext } from '../bot-context.js';
import { checkRateLimit } from '../rate-limit-check.js';
import { illustratePassage, planSummary } from '../stories/illustrate-passage.js';
import { refineDraft } from '../refine/refine-draft.js';
import { GENERIC_APOLOGY, toUserError } from '../reply-with-error.js';
import { contentScope } from '../content/content-scope.js';

export function onMessage(ctx: BotContext) {
  return async (message: Message): Promise<void> => {
    if (message.author.bot || message.system || !message.inGuild()) return;
    try {
      const repliedTo = message.reference?.messageId;
      const draftId = repliedTo ? await ctx.drafts.locations.draftOfMessage(repliedTo) : null;
      if (draftId) {
        const parent = await ctx.stories.getDraft(draftId);
        if (!parent) return;
        await checkRateLimit(ctx, message.guildId, message.author.id);
        await refineDraft(
          ctx,
          { userId: message.author.id, guildId: message.guildId, scope: await contentScope(ctx, message.guildId, message.channel), parent, text: message.content, attachment: message.attachments.first(), answersRequester: true },
          (view) => message.reply({ ...view, allowedMentions: { parse: [], repliedUser: false } }),
        );
        return;
      }
      if (!ctx.config.DISCORD_READ_MESSAGES || !message.channel.isThread() || message.content.trim().length < 3) return;
      const story = await ctx.stories.findStoryForChannel(message.channel.parentId ?? message.channelId, message.channelId);
      if (!story || story.ended !== undefined) return;
      await checkRateLimit(ctx, message.guildId, message.author.id);
      const result = await illustratePassage(ctx, story, message.content, message.author.id, await contentScope(ctx, message.guildId, message.channel));
      await message.reply({ content: planSummary(result), allowedMentions: { repliedUser: false } });
    } catch (error) {
      const known = toUserError(error);
      if (!known) ctx.log.error({ err: error, message: message.id }, 'message handling failed');
      // Everyone in the channel sees this reply: a refusal says why without repeating the word.
      await message.reply({ content: known ? `⚠️ ${known.publicMessage ?? known.message}` : GENERIC_APOLOGY, allowedMentions: { repliedUser: false } }).catch(() => {});
    }
  };
}
