// The server settings the content checks read before a command's first answer: cached for seconds,
// forgotten when this process writes them, and never caching a failed read.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuildSettingsCache } from '../src/discord/content/guild-settings-cache.js';
import { readGuildSettings, writeGuildSettings } from '../src/discord/stories/guild-settings.js';
import { connectForBot } from '../src/queue/index.js';
import { deletePrefixKeys } from './support/redis-keys.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('GuildSettingsCache', () => {
  let redis: Redis;
  const prefix = `tfsettings-${randomBytes(5).toString('hex')}:`;
  beforeAll(async () => {
    redis = await connectForBot(REDIS_URL);
  });
  afterAll(async () => {
    await deletePrefixKeys(prefix.slice(0, -1), redis);
    redis.disconnect();
  });

  it('serves a copy for ttlMs, then reads again; forget() drops it at once', async () => {
    let now = 1_000;
    const cache = new GuildSettingsCache(redis, prefix, { ttlMs: 10_000, now: () => now });
    const base = await readGuildSettings(redis, prefix, 'g1');
    await writeGuildSettings(redis, prefix, 'g1', { ...base, blocklist: ['kite'] });
    expect((await cache.read('g1')).blocklist).toEqual(['kite']);
    // Another bot process blocks a second word: this one sees it after the TTL.
    await writeGuildSettings(redis, prefix, 'g1', { ...base, blocklist: ['kite', 'moat'] });
    now += 9_999;
    expect((await cache.read('g1')).blocklist).toEqual(['kite']);
    now += 1;
    expect((await cache.read('g1')).blocklist).toEqual(['kite', 'moat']);
    // This process writes: forgotten at once.
    await writeGuildSettings(redis, prefix, 'g1', { ...base, blocklist: [] });
    cache.forget('g1');
    expect((await cache.read('g1')).blocklist).toEqual([]);
    // Outside a server: the defaults, nothing cached.
    expect(await cache.read(null)).toEqual(base);
  });

  it('does not keep a failed read', async () => {
    const cache = new GuildSettingsCache(redis, prefix);
    await redis.set(`${prefix}guild-settings:g2`, '{not json');
    await expect(cache.read('g2')).rejects.toThrow();
    await redis.set(`${prefix}guild-settings:g2`, JSON.stringify({ blocklist: ['gong'] }));
    expect((await cache.read('g2')).blocklist).toEqual(['gong']);
  });
});
