/**
 * The MESSAGE_REACTION_ADD listener: a number reaction on a draft message is a vote. Works on
 * uncached messages (partials), since only the message id and emoji are needed.
 */
import type { MessageReaction, PartialMessageReaction, PartialUser, User } from 'discord.js';
import type { BotContext } from '../bot-context.js';

export function onReactionAdd(ctx: BotContext) {
  return async (reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser): Promise<void> => {
    try {
      await ctx.votes.onReaction(reaction.message.id, reaction.emoji.name, user.id);
    } catch (error) {
      ctx.log.error({ err: error, message: reaction.message.id }, 'counting a vote failed');
    }
  };
}
