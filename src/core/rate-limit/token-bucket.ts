/**
 * Per-member rate limits as a token bucket: a member holds up to `burst` tokens, spends one per
 * action, and earns `perMinute` tokens a minute back (continuously, not in steps). A member who
 * acts at a steady pace never notices it; one who clicks in a frenzy is asked to slow down and told
 * when the next action will go through. Pure math: the state lives wherever the caller keeps it
 * (Redis, for the bot: see src/store/rate-limiter.ts, whose Lua script is this same arithmetic).
 *
 * Variables: tokens = what the member holds after the last action, at = when that was (ms),
 * rate = perMinute / 60000 tokens per ms.
 */

export interface RateRule {
  /** Tokens earned back per minute (the steady pace allowed). */
  perMinute: number;
  /** Most tokens a member can hold: how many actions may come at once after a quiet spell. */
  burst: number;
}

export interface BucketState {
  tokens: number;
  /** Time of the last update, in ms. */
  at: number;
}

export interface TakeResult {
  allowed: boolean;
  /** The bucket after this attempt (unchanged tokens when refused, but brought up to `now`). */
  state: BucketState;
  /** When refused: ms until one whole token is back; 0 when allowed. */
  retryAfterMs: number;
}

/**
 * Tokens are kept to 1e-9 of a token: 1000 ms at 20 a minute is 0.333.. in floating point, and three
 * of those must make a whole token again, not 0.9999999999999999. Waits are rounded to 1e-3 ms
 * before rounding up, for the same reason. (The Lua script rounds the same way.)
 */
function roundTokens(tokens: number): number {
  return Math.floor(tokens * 1e9 + 0.5) / 1e9;
}

/** Tokens earned per ms under `rule`. */
export function refillPerMs(rule: RateRule): number {
  return rule.perMinute / 60_000;
}

/**
 * Spends one token from `state` (undefined: a member never seen, who starts with a full bucket).
 * @example takeToken(undefined, 0, { perMinute: 20, burst: 10 }) // { allowed: true, state: { tokens: 9, at: 0 }, retryAfterMs: 0 }
 */
export function takeToken(state: BucketState | undefined, now: number, rule: RateRule): TakeResult {
  const rate = refillPerMs(rule);
  const elapsed = state ? Math.max(0, now - state.at) : 0;
  const tokens = state ? roundTokens(Math.min(rule.burst, state.tokens + elapsed * rate)) : rule.burst;
  if (tokens >= 1) return { allowed: true, state: { tokens: roundTokens(tokens - 1), at: now }, retryAfterMs: 0 };
  return { allowed: false, state: { tokens, at: now }, retryAfterMs: Math.ceil(Math.floor(((1 - tokens) / rate) * 1000 + 0.5) / 1000) };
}

/** How long an idle bucket is worth keeping: after this it is full again, the same as no bucket. */
export function bucketTtlMs(rule: RateRule): number {
  return Math.ceil(rule.burst / refillPerMs(rule));
}

/** Whole seconds to tell a member to wait (at least 1). */
export function waitSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}
