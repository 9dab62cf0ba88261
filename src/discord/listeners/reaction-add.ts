/**
 * The MESSAGE_REACTION_ADD listener: a number reaction on a draft message is a vote, counted in its
 * turn in the vote service's reaction lane (so a burst of votes never delays a slash command). Works
 * on uncached messages (partials), since only the message id and emoji are needed.
 */
import type { MessageReaction, PartialMessageReaction, PartialUser, User } from 'discord.js';
import type { BotContext } from '../bot-context.js';

export function onReactionAdd(ctx: BotContext) {
  return (reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser): void => {
    ctx.votes.queueReaction(reaction.message.id, reaction.emoji.name, user.id, true);
  };
}
