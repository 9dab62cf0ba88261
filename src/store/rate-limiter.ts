/**
 * Per-member rate limits kept in Redis, so every bot process sharing the Redis shares each member's
 * bucket. The Lua script is the token-bucket arithmetic of src/core/rate-limit/token-bucket.ts, run
 * atomically on one hash per (guild, member) that expires once it would be full again anyway; the
 * caller's clock is passed in, so the script and the core agree exactly (test/rate-limit.test.ts).
 */
import type { Redis } from 'ioredis';
import { bucketTtlMs, refillPerMs, type RateRule } from '../core/rate-limit/token-bucket.js';
import { luaScript, runScript } from '../queue/redis-script.js';

export interface RateVerdict {
  allowed: boolean;
  /** When refused: ms until the member may act again. */
  retryAfterMs: number;
}

// ARGV: key, now (ms), tokens earned per ms, burst, ttl (ms). Returns { allowed 0|1, retry ms, tokens left }.
const TAKE_TOKEN = luaScript(`
local key, now, perMs, burst = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local function round(t) return math.floor(t * 1e9 + 0.5) / 1e9 end
local saved = redis.call('HMGET', key, 'tokens', 'at')
local tokens = burst
if saved[1] and saved[2] then
  tokens = round(math.min(burst, tonumber(saved[1]) + math.max(0, now - tonumber(saved[2])) * perMs))
end
local allowed, retry = 0, 0
if tokens >= 1 then
  tokens = round(tokens - 1)
  allowed = 1
else
  retry = math.ceil(math.floor(((1 - tokens) / perMs) * 1000 + 0.5) / 1000)
end
redis.call('HSET', key, 'tokens', string.format('%.17g', tokens), 'at', string.format('%.0f', now))
redis.call('PEXPIRE', key, ARGV[5])
return { allowed, retry, string.format('%.17g', tokens) }
`);

export class RedisRateLimiter {
  constructor(
    private readonly redis: Redis,
    /** Key prefix; buckets live at `<prefix>rate:<scope>`. */
    private readonly prefix: string,
    readonly rule: RateRule,
  ) {}

  /** Spends one of `scope`'s tokens at time `now` (ms), or says how long to wait. */
  async take(scope: string, now: number): Promise<RateVerdict> {
    const { allowed, retryAfterMs } = await this.takeCounted(scope, now);
    return { allowed, retryAfterMs };
  }

  /** take(), also telling how many tokens the bucket holds afterwards (for a local mirror of it). */
  async takeCounted(scope: string, now: number): Promise<RateVerdict & { tokens: number }> {
    const reply = (await runScript(this.redis, TAKE_TOKEN, [
      `${this.prefix}rate:${scope}`, Math.floor(now), String(refillPerMs(this.rule)), this.rule.burst, bucketTtlMs(this.rule),
    ])) as [number, number, string];
    return { allowed: reply[0] === 1, retryAfterMs: reply[1], tokens: Number(reply[2]) };
  }

  /** The stored bucket of `scope` (for tests and diagnostics). */
  async peek(scope: string): Promise<{ tokens: number; at: number; ttlMs: number } | null> {
    const key = `${this.prefix}rate:${scope}`;
    const [saved, ttlMs] = await Promise.all([this.redis.hmget(key, 'tokens', 'at'), this.redis.pttl(key)]);
    if (saved[0] === null || saved[1] === null) return null;
    return { tokens: Number(saved[0]), at: Number(saved[1]), ttlMs };
  }
}
