/**
 * Sorts every failure of an interaction handler in one place: a UserError (or a queue error that
 * carries a user sentence) is shown as is; anything else is logged with its stack and answered with
 * a generic apology. The answer is always ephemeral and uses the one call the interaction still
 * allows: editReply after a deferral, followUp after a reply, else reply. Never throws.
 */
import { MessageFlags, type RepliableInteraction } from 'discord.js';
import type { Logger } from '../log.js';
import { PlannerBusyError } from '../planner/planner-busy-error.js';
import { JobInputError, QueueFullError } from '../queue/index.js';
import { UserError, UserErrorId } from './user-error.js';

export const GENERIC_APOLOGY = 'Sorry, something went wrong on my side. It has been logged; please try again in a moment.';

export const REDIS_DOWN = 'I cannot reach my database right now (it may be restarting); please try again in a moment.';

/** The user-facing form of any error: a known UserError, or undefined for "unexpected". */
export function toUserError(error: unknown): UserError | undefined {
  if (error instanceof UserError) return error;
  if (error instanceof QueueFullError) return new UserError(UserErrorId.QueueFull, error.message);
  if (error instanceof JobInputError) return new UserError(UserErrorId.BadInput, error.message);
  if (error instanceof PlannerBusyError) return new UserError(UserErrorId.PlannerBusy, error.message);
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  // ioredis's words while Redis is away or restarting: the bot's connection fails fast (no offline
  // queue) and a command caught mid-flight by the drop ends with MaxRetriesPerRequestError.
  const name = error instanceof Error ? error.name : '';
  if (code === 'ECONNREFUSED' || name === 'MaxRetriesPerRequestError' || /Stream isn't writeable|Connection is closed|enableOfflineQueue|max retries per request/.test(message)) {
    return new UserError(UserErrorId.RedisDown, REDIS_DOWN);
  }
  return undefined;
}

/** Answers `interaction` with the ephemeral explanation of `error`. */
export async function replyWithError(interaction: RepliableInteraction, error: unknown, log: Logger): Promise<void> {
  const known = toUserError(error);
  if (known) log.info({ id: known.id, user: interaction.user.id }, 'user error');
  else log.error({ err: error, user: interaction.user.id }, 'interaction failed');
  const content = known ? `⚠️ ${known.message}` : GENERIC_APOLOGY;
  try {
    if (interaction.deferred && interaction.ephemeral) {
      await interaction.editReply({ content, embeds: [], components: [], files: [] });
    } else if (interaction.deferred) {
      // A public "thinking..." message: drop it and explain privately instead.
      await interaction.deleteReply().catch(() => {});
      await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
    } else if (interaction.replied) {
      await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
    } else {
      await interaction.reply({ content, flags: MessageFlags.Ephemeral });
    }
  } catch (sendError) {
    log.warn({ err: sendError }, 'could not tell the user about an error');
  }
}
