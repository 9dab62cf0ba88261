// Per-member rate limits: the token-bucket arithmetic (src/core/rate-limit) and the Redis limiter
// that runs the same arithmetic in Lua, so several bot processes share each member's bucket.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketTtlMs, takeToken, waitSeconds, type BucketState, type RateRule } from '../src/core/rate-limit/token-bucket.js';
import { connectForBot } from '../src/queue/index.js';
import { MirroredRateLimiter } from '../src/store/mirrored-rate-limiter.js';
import { RedisRateLimiter } from '../src/store/rate-limiter.js';
import { deletePrefixKeys } from './support/redis-keys.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RULE: RateRule = { perMinute: 20, burst: 10 };

/** Runs takeToken over `times`, threading the state, and returns each verdict. */
function run(times: number[], rule: RateRule): Array<{ allowed: boolean; retryAfterMs: number }> {
  let state: BucketState | undefined;
  return times.map((now) => {
    const result = takeToken(state, now, rule);
    state = result.state;
    return { allowed: result.allowed, retryAfterMs: result.retryAfterMs };
  });
}

describe('token bucket', () => {
  it('lets a burst through, then refuses and says when one action will go through again', () => {
    const verdicts = run(Array.from({ length: 12 }, () => 1_000), RULE);
    expect(verdicts.slice(0, 10).every((v) => v.allowed && v.retryAfterMs === 0)).toBe(true);
    // 20 a minute = one token every 3 s.
    expect(verdicts[10]).toEqual({ allowed: false, retryAfterMs: 3_000 });
    expect(verdicts[11]).toEqual({ allowed: false, retryAfterMs: 3_000 });
    const later = run([...Array.from({ length: 10 }, () => 0), 1_000, 3_000, 3_001], RULE);
    expect(later.slice(10)).toEqual([
      { allowed: false, retryAfterMs: 2_000 },
      { allowed: true, retryAfterMs: 0 },
      { allowed: false, retryAfterMs: 2_999 },
    ]);
  });

  it('never refuses a member who keeps to the allowed pace', () => {
    const steady = run(Array.from({ length: 200 }, (_, i) => i * 3_000), RULE);
    expect(steady.every((v) => v.allowed)).toBe(true);
    const faster = run(Array.from({ length: 200 }, (_, i) => i * 2_000), RULE);
    expect(faster.filter((v) => !v.allowed).length).toBeGreaterThan(50);
  });

  it('fills up to the burst and no further, and gains nothing from a clock that goes back', () => {
    const first = takeToken(undefined, 0, RULE);
    expect(first.state).toEqual({ tokens: 9, at: 0 });
    expect(takeToken(first.state, 3_600_000, RULE).state.tokens).toBe(9); // full (10) minus this one
    const empty: BucketState = { tokens: 0.5, at: 10_000 };
    expect(takeToken(empty, 5_000, RULE)).toEqual({ allowed: false, state: { tokens: 0.5, at: 5_000 }, retryAfterMs: 1_500 });
  });

  it('keeps a bucket only as long as it takes to fill, and rounds waits up to whole seconds', () => {
    expect(bucketTtlMs(RULE)).toBe(30_000);
    expect(bucketTtlMs({ perMinute: 1, burst: 1 })).toBe(60_000);
    expect([waitSeconds(0), waitSeconds(1), waitSeconds(3_000), waitSeconds(2_001)]).toEqual([1, 1, 3, 3]);
  });
});

describe('RedisRateLimiter', () => {
  let redis: Redis;
  let other: Redis;
  const prefix = `tfrate-${randomBytes(5).toString('hex')}`;
  beforeAll(async () => {
    redis = await connectForBot(REDIS_URL);
    other = await connectForBot(REDIS_URL);
  });
  afterAll(async () => {
    await deletePrefixKeys(prefix, redis);
    redis.disconnect();
    other.disconnect();
  });

  it('gives exactly the verdicts of the core arithmetic, and stores the same bucket', async () => {
    const rule: RateRule = { perMinute: 7, burst: 3 };
    const limiter = new RedisRateLimiter(redis, `${prefix}:`, rule);
    // A seeded, uneven stream of actions: bursts, pauses, and now and then the same millisecond.
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let now = 1_700_000_000_000;
    const times: number[] = [];
    for (let i = 0; i < 300; i++) times.push((now += next() < 0.7 ? Math.floor(next() * 2_000) : Math.floor(next() * 40_000)));
    const fromRedis = [];
    for (const t of times) fromRedis.push(await limiter.take('g1:alice', t));
    expect(fromRedis).toEqual(run(times, rule));
    expect(fromRedis.filter((v) => !v.allowed).length).toBeGreaterThan(20);
    expect(fromRedis.filter((v) => v.allowed).length).toBeGreaterThan(20);

    let state: BucketState | undefined;
    for (const t of times) state = takeToken(state, t, rule).state;
    const stored = await limiter.peek('g1:alice');
    expect(stored).toMatchObject({ tokens: state!.tokens, at: state!.at });
    expect(stored!.ttlMs).toBeGreaterThan(0);
    expect(stored!.ttlMs).toBeLessThanOrEqual(bucketTtlMs(rule));
  });

  it('shares one bucket per member between bot processes, and keeps members and servers apart', async () => {
    const rule: RateRule = { perMinute: 6, burst: 2 };
    const a = new RedisRateLimiter(redis, `${prefix}:`, rule);
    const b = new RedisRateLimiter(other, `${prefix}:`, rule);
    const at = 1_800_000_000_000;
    expect((await a.take('g1:bob', at)).allowed).toBe(true);
    expect((await b.take('g1:bob', at)).allowed).toBe(true);
    expect(await a.take('g1:bob', at)).toEqual({ allowed: false, retryAfterMs: 10_000 });
    expect(await b.take('g1:bob', at + 4_000)).toEqual({ allowed: false, retryAfterMs: 6_000 });
    expect((await b.take('g1:carol', at)).allowed).toBe(true);
    expect((await a.take('g2:bob', at)).allowed).toBe(true);
  });
});

describe('MirroredRateLimiter', () => {
  let redis: Redis;
  const prefix = `tfmirror-${randomBytes(5).toString('hex')}`;
  beforeAll(async () => {
    redis = await connectForBot(REDIS_URL);
  });
  afterAll(async () => {
    await deletePrefixKeys(prefix, redis);
    redis.disconnect();
  });
  it('answers a member well inside the limit at once, asks Redis near the limit, and Redis ends with the same bucket', async () => {
    const shared = new RedisRateLimiter(redis, `${prefix}:`, RULE);
    const limiter = new MirroredRateLimiter(shared);
    const at = 1_700_000_000_000;
    const verdicts = [];
    for (let i = 0; i < 12; i++) verdicts.push(limiter.take('g1:dora', at));
    // Nine answered by the copy (a token left after each); the tenth and later wait for Redis.
    expect(verdicts.slice(0, 9).every((v) => !(v instanceof Promise) && v.allowed)).toBe(true);
    expect(verdicts.slice(9).every((v) => v instanceof Promise)).toBe(true);
    expect(await Promise.all(verdicts.slice(9))).toEqual([
      { allowed: true, retryAfterMs: 0 },
      { allowed: false, retryAfterMs: 3_000 },
      { allowed: false, retryAfterMs: 3_000 },
    ]);
    // The same verdicts, and the same stored bucket, as the arithmetic alone.
    expect(await Promise.all(verdicts)).toEqual(run(Array.from({ length: 12 }, () => at), RULE));
    expect(await shared.peek('g1:dora')).toMatchObject({ tokens: 0, at });
  });

  it('lets at most one action too many through when another process emptied the bucket, then refuses', async () => {
    const shared = new RedisRateLimiter(redis, `${prefix}:`, RULE);
    const at = 1_800_000_000_000;
    for (let i = 0; i < 10; i++) await shared.take('g1:eve', at); // spent elsewhere (another process, or before a restart)
    const errors: unknown[] = [];
    const limiter = new MirroredRateLimiter(shared, (e) => errors.push(e));
    expect(limiter.take('g1:eve', at + 10)).toEqual({ allowed: true, retryAfterMs: 0 });
    await limiter.settled();
    const next = limiter.take('g1:eve', at + 20);
    expect(next).toBeInstanceOf(Promise);
    expect(await next).toMatchObject({ allowed: false });
    expect(errors).toEqual([]);
  });

  it('keeps members apart; without Redis it reports the failed updates and rejects what only Redis may decide', async () => {
    const shared = new RedisRateLimiter(redis, `${prefix}:`, { perMinute: 6, burst: 2 });
    const limiter = new MirroredRateLimiter(shared);
    const at = 1_900_000_000_000;
    expect(limiter.take('g1:finn', at)).toEqual({ allowed: true, retryAfterMs: 0 });
    expect(await limiter.take('g1:finn', at)).toEqual({ allowed: true, retryAfterMs: 0 });
    expect(await limiter.take('g1:finn', at)).toEqual({ allowed: false, retryAfterMs: 10_000 });
    expect(limiter.take('g2:finn', at)).toEqual({ allowed: true, retryAfterMs: 0 });
    const down = await connectForBot(REDIS_URL);
    down.disconnect();
    const failures: unknown[] = [];
    const offline = new MirroredRateLimiter(new RedisRateLimiter(down, `${prefix}:`, RULE), (e) => failures.push(e));
    for (let i = 0; i < 9; i++) expect(offline.take('g1:gus', at)).toEqual({ allowed: true, retryAfterMs: 0 });
    await expect(offline.take('g1:gus', at)).rejects.toThrow();
    expect(failures).toHaveLength(9);
  });
});
