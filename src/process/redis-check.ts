/**
 * Start-up check that Redis answers, so a wrong REDIS_URL ends the process with one sentence instead
 * of an endless reconnect loop or a stack trace.
 */
import { Redis } from 'ioredis';

/** Resolves when Redis answers PING within `timeoutMs`; otherwise rejects with a one-sentence Error. */
export async function assertRedisReachable(url: string, timeoutMs = 3000): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  redis.on('error', () => {}); // reported below as one sentence
  try {
    await redis.connect();
    await redis.ping();
  } catch {
    throw new Error(`Redis at ${redactUrl(url)} did not answer: start Redis or fix REDIS_URL.`);
  } finally {
    redis.disconnect();
  }
}

/** Hides a password in a redis:// URL before it is printed. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):([^@/]+)@/, '//$1:***@');
}
