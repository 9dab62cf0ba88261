/**
 * Redis as an embedded default: a real redis-server child on a free port (the system Redis at 6379 is
 * left alone), its append-only file under DATA_DIR/redis surviving a restart, a clear sentence when
 * no redis-server exists, and the choice between a given REDIS_URL, one that answers, and starting one.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, NO_REDIS_SERVER, startEmbeddedRedis } from '../src/process/embedded-redis.js';
import { chooseRedis } from '../src/process/redis-choice.js';
import { assertRedisReachable } from '../src/process/redis-check.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'taleframe-redis-'));
  dirs.push(dir);
  return dir;
}

async function withClient<T>(url: string, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

describe('embedded Redis', () => {
  it('runs redis-server with AOF under DATA_DIR/redis, keeps data across a restart, and stops', async () => {
    const dir = await dataDir();
    const port = await freePort();
    const first = await startEmbeddedRedis({ dataDir: dir, port });
    expect(first.url).toBe(`redis://127.0.0.1:${port}`);
    await withClient(first.url, async (redis) => {
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      await redis.set('story', 'the fox');
    });
    await first.stop();
    expect(await readdir(join(dir, 'redis'))).toContain('appendonlydir');
    await expect(assertRedisReachable(first.url, 500)).rejects.toThrow(/did not answer/);

    const second = await startEmbeddedRedis({ dataDir: dir, port });
    try {
      expect(await withClient(second.url, (redis) => redis.get('story'))).toBe('the fox');
    } finally {
      await second.stop();
    }
  });

  it('says in one sentence how to get redis-server when there is none', async () => {
    const dir = await dataDir();
    await expect(startEmbeddedRedis({ dataDir: dir, binary: join(dir, 'no-redis-server-here') })).rejects.toThrow(NO_REDIS_SERVER);
    expect(NO_REDIS_SERVER).toMatch(/apt-get install redis-server/);
  });

  it('uses a given REDIS_URL as is, and starts its own only when none is given and nothing answers', async () => {
    const dir = await dataDir();
    const silent = `redis://127.0.0.1:${await freePort()}`;
    await expect(chooseRedis({ REDIS_URL: silent, redisUrlGiven: true, DATA_DIR: dir })).rejects.toThrow(/did not answer/);
    expect(existsSync(join(dir, 'redis'))).toBe(false);

    const chosen = await chooseRedis({ REDIS_URL: silent, redisUrlGiven: false, DATA_DIR: dir });
    try {
      expect(chosen.embedded?.dataDir).toBe(join(dir, 'redis'));
      expect(chosen.url).not.toBe(silent);
      expect(await withClient(chosen.url, (redis) => redis.ping())).toBe('PONG');
      // With a Redis answering at the default address, that one is used and nothing is started.
      const reused = await chooseRedis({ REDIS_URL: chosen.url, redisUrlGiven: false, DATA_DIR: await dataDir() });
      expect(reused).toMatchObject({ url: chosen.url });
      expect(reused.embedded).toBeUndefined();
    } finally {
      await chosen.stop();
    }
  });
});
