/**
 * Says in the log when a Redis connection drops and when it is back, so an operator who restarts
 * Redis can see every bot and worker reconnect by itself ("redis connection lost" at warn, "redis
 * reconnected" at info with the outage's length). ioredis reconnects on its own; `onReconnect` lets
 * the owner catch up on what it could not do meanwhile (the bot sweeps finished renders and re-syncs
 * open votes). A deliberate disconnect() is not a loss: ioredis does not emit 'reconnecting' then.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';

export interface ConnectionWatchOptions {
  /** Which connection this is, for the log line ("bot", "worker", "queue events"). */
  connection: string;
  /** Runs after every reconnect (not after the first connect); its failures are logged. */
  onReconnect?(): Promise<unknown> | void;
}

/** Starts watching `redis`; returns a function that stops watching. */
export function watchConnection(redis: Redis, log: Logger, opts: ConnectionWatchOptions): () => void {
  let lostAt: number | null = null;
  const onReconnecting = (delayMs: number) => {
    if (lostAt !== null) return; // one line per outage, not one per retry
    lostAt = Date.now();
    log.warn({ connection: opts.connection, retryInMs: delayMs }, 'redis connection lost; reconnecting');
  };
  const onReady = () => {
    if (lostAt === null) return; // the first connect
    log.info({ connection: opts.connection, downMs: Date.now() - lostAt }, 'redis reconnected');
    lostAt = null;
    void Promise.resolve()
      .then(() => opts.onReconnect?.())
      .catch((error: unknown) => log.warn({ err: error, connection: opts.connection }, 'catching up after the reconnect failed'));
  };
  redis.on('reconnecting', onReconnecting);
  redis.on('ready', onReady);
  return () => {
    redis.off('reconnecting', onReconnecting);
    redis.off('ready', onReady);
  };
}
