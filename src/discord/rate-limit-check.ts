/**
 * The bot's per-member rate limit: one token per command, button, form, passage or refine reply, per
 * (server, member), from a bucket in Redis shared by every bot process (RATE_LIMIT_PER_MINUTE,
 * RATE_LIMIT_BURST; 0 a minute turns it off), checked against this process's copy of it first so a
 * member well inside the limit waits for no round trip (store/mirrored-rate-limiter.ts). Over the
 * limit, the member is told in one sentence when to try again. Votes by reaction never come here:
 * they are cheap and must always count.
 */
import { waitSeconds } from '../core/rate-limit/token-bucket.js';
import type { BotContext } from './bot-context.js';
import { UserError, UserErrorId } from './user-error.js';

/** What a member over the limit is told. */
export function tooFastSentence(retryAfterMs: number): string {
  const n = waitSeconds(retryAfterMs);
  return `You're going a little fast — try again in ${n} second${n === 1 ? '' : 's'}.`;
}

/** Spends one of the member's tokens, or throws the UserError that tells them to slow down. */
export async function checkRateLimit(ctx: BotContext, guildId: string | null, userId: string): Promise<void> {
  if (!ctx.rateLimiter) return;
  let verdict;
  try {
    verdict = await ctx.rateLimiter.take(`${guildId ?? 'dm'}:${userId}`, ctx.now());
  } catch (error) {
    // A limiter that cannot reach Redis lets the action through; the action reports Redis itself.
    ctx.log.warn({ err: error }, 'rate limit check failed; letting the action through');
    return;
  }
  if (!verdict.allowed) throw new UserError(UserErrorId.RateLimited, tooFastSentence(verdict.retryAfterMs));
}
