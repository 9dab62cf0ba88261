/**
 * The one new message a delivery posts (a draft's "ready" ping, a media job's file), at most once
 * per job across repeat deliveries: ResultDelivery delivers a job again when its bot was killed
 * mid-delivery (or a delivery outlived its lease), and everything else a delivery does (editing the
 * draft's message, the ledger, the vote round) is idempotent already. The mark is set after the
 * post, not before: a mark taken by a bot killed before it posted would lose the post for good,
 * while a bot killed between the post and the mark (one Redis round trip) posts it twice.
 */
import type { BotContext } from './bot-context.js';

const MARK_TTL_SECONDS = 14 * 24 * 3600; // as long as ResultDelivery's guards

export async function postOnce(ctx: BotContext, jobId: string, post: () => Promise<unknown>): Promise<void> {
  const mark = `${ctx.keyPrefix}posted:${jobId}`;
  if (await ctx.redis.exists(mark)) return;
  await post();
  // Posted: a failed mark must not fail the delivery (that would retry it and post again).
  await ctx.redis.set(mark, String(Date.now()), 'EX', MARK_TTL_SECONDS).catch((error: unknown) => ctx.log.warn({ err: error, jobId }, 'posted, but could not mark it posted'));
}
