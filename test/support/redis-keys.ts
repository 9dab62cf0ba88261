/**
 * Removes every Redis key of a test's queue prefix (`<prefix>:*`), so runs leave nothing behind on the
 * shared Redis. Not a test file itself.
 */
import { Redis } from 'ioredis';
import { deleteKeysUnder } from '../../src/queue/index.js';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Deletes `<prefix>:*` through `redis`, or through a short-lived connection to TEST_REDIS_URL. */
export async function deletePrefixKeys(prefix: string, redis?: Redis): Promise<void> {
  const client = redis ?? new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    await deleteKeysUnder(client, prefix);
  } finally {
    if (!redis) client.disconnect();
  }
}
