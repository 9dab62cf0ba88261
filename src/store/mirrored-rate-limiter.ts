/**
 * The rate limit as the bot checks it before its first answer to a member: a copy of each member's
 * bucket in this process decides at once when the answer is clear, and the shared bucket in Redis
 * (rate-limiter.ts) is updated behind it. A member well inside the limit (at least one more token
 * left after this action) is let through with no Redis round trip: under a burst that round trip
 * waited 15-100 ms for this busy event loop (load bench), a large part of the 250 ms an
 * acknowledgement may take. Near or over the limit, Redis decides, and the copy takes its count.
 *
 * What the copy can get wrong, and why that is fine for a limit on clicks: a member this process has
 * not seen starts with a full copy, so after a restart, or while another bot process spends the same
 * member's tokens (only DMs cross shards), one action too many may pass; Redis's answer then
 * corrects the copy, so the next one is refused. Redis stays the one shared truth.
 */
import { takeToken, type BucketState } from '../core/rate-limit/token-bucket.js';
import type { RateVerdict, RedisRateLimiter } from './rate-limiter.js';

/** Members whose copies are kept; the oldest are dropped first (a dropped copy starts full again). */
const MAX_MEMBERS = 50_000;

export class MirroredRateLimiter {
  private readonly copies = new Map<string, BucketState>();
  /** Shared updates sent and not answered yet. */
  private readonly updating = new Set<Promise<void>>();

  constructor(
    readonly shared: RedisRateLimiter,
    /** Told about a shared update that failed (Redis away); the action has already gone through. */
    private readonly onSettleError: (error: unknown) => void = () => {},
  ) {}

  /**
   * Spends one of `scope`'s tokens at `now` (ms). A verdict (not a promise) when the copy decided;
   * otherwise a promise of Redis's verdict, which rejects when Redis cannot be reached.
   */
  take(scope: string, now: number): RateVerdict | Promise<RateVerdict> {
    const local = takeToken(this.copies.get(scope), now, this.shared.rule);
    if (local.allowed && local.state.tokens >= 1) {
      this.keep(scope, local.state);
      const update = this.shared.takeCounted(scope, now).then(
        (settled) => {
          // Another process spent this member's tokens: Redis knows better than the copy. (Never
          // raise a copy that has moved on meanwhile: keep the smaller count at the later time.)
          if (settled.allowed && settled.tokens >= local.state.tokens) return;
          const current = this.copies.get(scope);
          this.keep(scope, current && current.at >= now ? { tokens: Math.min(current.tokens, settled.tokens), at: current.at } : { tokens: settled.tokens, at: now });
        },
        (error: unknown) => this.onSettleError(error),
      );
      this.updating.add(update);
      void update.finally(() => this.updating.delete(update));
      return { allowed: true, retryAfterMs: 0 };
    }
    return this.shared.takeCounted(scope, now).then(({ allowed, retryAfterMs, tokens }) => {
      this.keep(scope, { tokens, at: now });
      return { allowed, retryAfterMs };
    });
  }

  /** Resolves once every shared update sent so far has been answered (or has failed). */
  async settled(): Promise<void> {
    await Promise.all([...this.updating]);
  }

  private keep(scope: string, state: BucketState): void {
    this.copies.delete(scope); // re-inserted last: the Map's order is the eviction order
    if (this.copies.size >= MAX_MEMBERS) this.copies.delete(this.copies.keys().next().value!);
    this.copies.set(scope, state);
  }
}
