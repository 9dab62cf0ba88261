/**
 * How long renders take and how many can run at once, for queue positions and ETAs. Workers record
 * each finished render into a moving average per job name (EWMA, alpha 0.2) and announce their
 * concurrency with a heartbeat; the bot reads both. The ETA model is a fluid one: with w slots busy
 * on a jobs and p jobs ahead-or-at our place, our job starts after max(0, p + a - w) / w renders.
 */
import type { Redis } from 'ioredis';
import { queueKeys } from './redis-connections.js';
import { luaScript, runScript } from './redis-script.js';

const EWMA_ALPHA = 0.2;
/** A worker's heartbeat lives this long; workers refresh it every third of it. */
export const WORKER_HEARTBEAT_MS = 15_000;

const recordScript = luaScript(`
local key, name, ms, alpha = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
for _, field in ipairs({name, '*'}) do
  local old = tonumber(redis.call('HGET', key, field) or '')
  local new = old and (old * (1 - alpha) + ms * alpha) or ms
  redis.call('HSET', key, field, string.format('%.0f', new))
end
return 1
`);

/** Worker side: folds one render time into the moving averages (its job name's and the overall one). */
export async function recordRenderTime(redis: Redis, prefix: string, jobName: string, ms: number): Promise<void> {
  await runScript(redis, recordScript, [queueKeys.renderStats(prefix), jobName, Math.max(0, Math.round(ms)), EWMA_ALPHA]);
}

/** Moving-average render time of `jobName` (or of all jobs), or null before the first render. */
export async function averageRenderMs(redis: Redis, prefix: string, jobName: string): Promise<number | null> {
  const [own, all] = await redis.hmget(queueKeys.renderStats(prefix), jobName, '*');
  const value = Number(own ?? all ?? NaN);
  return Number.isFinite(value) ? value : null;
}

/** Worker side: says "I am alive with `concurrency` slots" until WORKER_HEARTBEAT_MS from now. */
export async function announceWorker(redis: Redis, prefix: string, workerId: string, concurrency: number): Promise<void> {
  await redis.hset(queueKeys.workers(prefix), workerId, `${concurrency}:${Date.now() + WORKER_HEARTBEAT_MS}`);
}

export async function retireWorker(redis: Redis, prefix: string, workerId: string): Promise<void> {
  await redis.hdel(queueKeys.workers(prefix), workerId);
}

/** Sum of the concurrency of live workers; stale entries are dropped on the way. */
export async function liveWorkerSlots(redis: Redis, prefix: string): Promise<number> {
  const key = queueKeys.workers(prefix);
  const entries = await redis.hgetall(key);
  let slots = 0;
  const stale: string[] = [];
  for (const [id, value] of Object.entries(entries)) {
    const [concurrency, expiresAt] = value.split(':').map(Number);
    if (expiresAt! < Date.now()) stale.push(id);
    else slots += concurrency!;
  }
  if (stale.length > 0) await redis.hdel(key, ...stale);
  return slots;
}

/**
 * Fluid ETA. `position` is 1-based among waiting jobs, `active` the jobs rendering now, `slots` the
 * live worker slots. Returns ms until the job starts and until it is done, or null without an average.
 */
export function estimateEta(
  position: number,
  active: number,
  slots: number,
  avgMs: number | null,
): { startMs: number; doneMs: number } | null {
  if (avgMs === null) return null;
  const w = Math.max(1, slots);
  const startMs = (Math.max(0, position + active - w) / w) * avgMs;
  return { startMs: Math.round(startMs), doneMs: Math.round(startMs + avgMs) };
}
