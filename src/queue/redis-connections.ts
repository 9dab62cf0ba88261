/**
 * The two kinds of Redis connection the render queue uses, and the names of its own keys. The bot's
 * connection fails fast when Redis is down (no offline queue: a slash command gets an error at once
 * instead of hanging); a worker's connection retries forever (BullMQ requires
 * `maxRetriesPerRequest: null` for blocking commands) so a Redis restart only pauses rendering.
 */
import { Redis } from 'ioredis';

/** BullMQ queue name; the BullMQ key prefix is the configured QUEUE_PREFIX. */
export const RENDER_QUEUE_NAME = 'render';

/** Connection for the bot side (Queue, QueueEvents readers, delivery guards). Resolves once ready. */
export async function connectForBot(url: string): Promise<Redis> {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => {}); // commands reject on their own; callers report them
  await redis.connect();
  return redis;
}

/** Connection for a worker process: blocking commands, retries until Redis is back. */
export function connectForWorker(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  redis.on('error', () => {}); // ioredis reconnects by itself; BullMQ logs the failures it sees
  return redis;
}

/** Keys Taleframe keeps beside BullMQ's own, all under `<prefix>:`. */
export const queueKeys = {
  cancel: (prefix: string, jobId: string) => `${prefix}:cancel:${jobId}`,
  /** Delivery guard: `delivering:<owner>:<ts>` while a delivery holds its lease, then `<ts>` once delivered. */
  delivered: (prefix: string, jobId: string) => `${prefix}:delivered:${jobId}`,
  /** Deliveries under way: member = job id, score = when its lease runs out (ms). */
  deliveryLeases: (prefix: string) => `${prefix}:delivery-leases`,
  /** Fair-queue bookkeeping (see fair-queue.ts). */
  fair: (prefix: string, part: string) => `${prefix}:fair:${part}`,
  /** Moving averages of render time per job name. */
  renderStats: (prefix: string) => `${prefix}:stats:render-ms`,
  /** Live workers: field = worker id, value = "<concurrency>:<expiresAtMs>". */
  workers: (prefix: string) => `${prefix}:workers`,
};

/**
 * Deletes every key under `<prefix>:` (a whole Taleframe installation's queue, stories and guards).
 * For tests, benchmarks and operators retiring a prefix; never called by the bot or workers.
 */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length > 0) deleted += await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  return deleted;
}
