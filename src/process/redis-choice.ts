/**
 * Which Redis `npm start` uses: REDIS_URL when it is set (it must answer), else one answering at the
 * default 127.0.0.1:6379, else an embedded redis-server child (see embedded-redis.ts).
 */
import type { Config } from '../config.js';
import { startEmbeddedRedis } from './embedded-redis.js';
import { assertRedisReachable } from './redis-check.js';

export interface ChosenRedis {
  url: string;
  /** Set when Taleframe started its own redis-server. */
  embedded?: { dataDir: string };
  stop(): Promise<void>;
}

export async function chooseRedis(config: Pick<Config, 'REDIS_URL' | 'redisUrlGiven' | 'DATA_DIR'>): Promise<ChosenRedis> {
  const none = async () => {};
  if (config.redisUrlGiven) {
    await assertRedisReachable(config.REDIS_URL);
    return { url: config.REDIS_URL, stop: none };
  }
  try {
    await assertRedisReachable(config.REDIS_URL, 1000);
    return { url: config.REDIS_URL, stop: none };
  } catch {
    const redis = await startEmbeddedRedis({ dataDir: config.DATA_DIR });
    return { url: redis.url, embedded: { dataDir: redis.dataDir }, stop: redis.stop };
  }
}
