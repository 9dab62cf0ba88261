/**
 * The MESSAGE_REACTION_REMOVE listener: a member taking a number reaction off a draft message
 * withdraws their vote, if that number is still their vote (the bot removing an old reaction after
 * a member moved their vote leaves the new vote alone). Queued behind the same member's earlier
 * reactions on that message in the reaction lane. Works on uncached messages (partials).
 */
import type { MessageReaction, PartialMessageReaction, PartialUser, User } from 'discord.js';
import type { BotContext } from '../bot-context.js';

export function onReactionRemove(ctx: BotContext) {
  return (reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser): void => {
    ctx.votes.queueReaction(reaction.message.id, reaction.emoji.name, user.id, false);
  };
}
