/**
 * The Lua half of fair queueing (see fair-queue.ts for the design). Each script runs atomically in
 * Redis, keeps the bookkeeping under `<prefix>:fair:` and rewrites the BullMQ priorities of a user's
 * waiting jobs so they match that user's slots ("settle"). BullMQ stores a prioritized job in the
 * `prioritized` sorted set with score priority * 2^32 + insertion counter; settle keeps the counter
 * (FIFO among equal tags) and replaces the priority, exactly as Job.changePriority would, but in the
 * same atomic step as the bookkeeping. test/queue-fairness.test.ts pins that layout down.
 *
 * Keys (B = `<prefix>:fair:`): B..'V' virtual time; B..'F' hash user -> finish tag; B..'VU' hash
 * user -> story-level virtual time; B..'fs:'..user hash lane -> story finish tag; B..'job' hash
 * jobId -> {u, l, st}; B..'jobs:'..user zset of waiting job ids in story round-robin order;
 * B..'slots:'..user zset of the user's slot tags; B..'lanes' hash lane -> waiting count.
 * Single-node Redis only (keys are derived inside the scripts).
 */
import type { Redis } from 'ioredis';
import { luaScript, runScript } from './redis-script.js';

/** Largest BullMQ priority. */
export const MAX_PRIORITY = 2_097_152;

const prelude = `
local rcall = redis.call
local B, prioritized, jobPrefix = ARGV[1], ARGV[2], ARGV[3]
local function num(v) return tonumber(v or '0') or 0 end
local function fmt(n) return string.format('%.0f', n) end
local function settle(user)
  local jobs = rcall('ZRANGE', B..'jobs:'..user, 0, -1)
  local slots = rcall('ZRANGE', B..'slots:'..user, 0, -1, 'WITHSCORES')
  for i, jobId in ipairs(jobs) do
    local tag = tonumber(slots[2 * i])
    local score = rcall('ZSCORE', prioritized, jobId)
    if tag and score then
      score = tonumber(score)
      local want = tag * 4294967296 + score % 4294967296
      if want ~= score then
        rcall('ZADD', prioritized, fmt(want), jobId)
        rcall('HSET', jobPrefix..jobId, 'priority', tag)
      end
    end
  end
end
local function forget(jobId)
  local raw = rcall('HGET', B..'job', jobId)
  if not raw then return nil end
  local meta = cjson.decode(raw)
  rcall('HDEL', B..'job', jobId)
  rcall('ZREM', B..'jobs:'..meta.u, jobId)
  if rcall('HINCRBY', B..'lanes', meta.l, -1) <= 0 then rcall('HDEL', B..'lanes', meta.l) end
  return meta
end
local function tidy(user)
  if rcall('ZCARD', B..'jobs:'..user) == 0 then
    rcall('DEL', B..'slots:'..user, B..'fs:'..user)
    rcall('HDEL', B..'F', user)
    rcall('HDEL', B..'VU', user)
  end
end
`;

// ARGV[4..9]: jobId, user, lane, maxPerUser, maxPerLane, maxPriority.
// Returns {'ok', priority} | {'dup', 0} | {'user', waiting} | {'story', waiting}.
const reserve = luaScript(`${prelude}
local jobId, user, lane = ARGV[4], ARGV[5], ARGV[6]
if rcall('HEXISTS', B..'job', jobId) == 1 then return {'dup', 0} end
local userWaiting = rcall('ZCARD', B..'jobs:'..user)
if userWaiting >= tonumber(ARGV[7]) then return {'user', userWaiting} end
local laneWaiting = num(rcall('HGET', B..'lanes', lane))
if laneWaiting >= tonumber(ARGV[8]) then return {'story', laneWaiting} end
local V = num(rcall('GET', B..'V'))
-- Rebase: once nothing waits, every finish tag is <= V, so time can start again from zero.
if V > tonumber(ARGV[9]) / 2 and rcall('HLEN', B..'job') == 0 then V = 0; rcall('SET', B..'V', 0) end
local tag = math.min(math.max(V, num(rcall('HGET', B..'F', user))) + 1, tonumber(ARGV[9]))
rcall('HSET', B..'F', user, tag)
local st = math.max(num(rcall('HGET', B..'VU', user)), num(rcall('HGET', B..'fs:'..user, lane))) + 1
rcall('HSET', B..'fs:'..user, lane, st)
local seq = rcall('INCR', B..'seq')
rcall('ZADD', B..'jobs:'..user, fmt(st * 16777216 + seq % 16777216), jobId)
rcall('ZADD', B..'slots:'..user, tag, seq)
rcall('HINCRBY', B..'lanes', lane, 1)
rcall('HSET', B..'job', jobId, cjson.encode({u = user, l = lane, st = st}))
settle(user)
local rank = rcall('ZRANK', B..'jobs:'..user, jobId)
local slot = rcall('ZRANGE', B..'slots:'..user, rank, rank, 'WITHSCORES')
return {'ok', tonumber(slot[2])}
`);

// ARGV[4]: user. Re-applies the user's slots to its waiting jobs.
const settleUser = luaScript(`${prelude}
settle(ARGV[4])
return 1
`);

// ARGV[4]: jobId. The job left the waiting set by starting: its user's first slot is used up and
// virtual time advances to it. Returns the slot tag, or 0 when the job was not tracked.
const started = luaScript(`${prelude}
local meta = forget(ARGV[4])
if not meta then return 0 end
local popped = rcall('ZPOPMIN', B..'slots:'..meta.u)
local tag = tonumber(popped[2] or '0')
if tag > num(rcall('GET', B..'V')) then rcall('SET', B..'V', tag) end
if meta.st > num(rcall('HGET', B..'VU', meta.u)) then rcall('HSET', B..'VU', meta.u, meta.st) end
settle(meta.u)
tidy(meta.u)
return tag
`);

// ARGV[4]: jobId. The job left the waiting set without running (cancelled, or its add failed): the
// user gives back its last slot. Returns 1 when the job was tracked.
const withdrawn = luaScript(`${prelude}
local meta = forget(ARGV[4])
if not meta then return 0 end
rcall('ZPOPMAX', B..'slots:'..meta.u)
local last = rcall('ZRANGE', B..'slots:'..meta.u, -1, -1, 'WITHSCORES')
local V = num(rcall('GET', B..'V'))
rcall('HSET', B..'F', meta.u, math.max(V, tonumber(last[2] or '0')))
settle(meta.u)
tidy(meta.u)
return 1
`);

/** Where the scripts find their keys. */
export interface FairKeys {
  /** `<prefix>:fair:` */
  base: string;
  /** BullMQ's prioritized zset of the render queue. */
  prioritized: string;
  /** BullMQ's job hash prefix (`<prefix>:<queue>:`). */
  jobPrefix: string;
}

export function fairKeys(prefix: string, queueName: string): FairKeys {
  return { base: `${prefix}:fair:`, prioritized: `${prefix}:${queueName}:prioritized`, jobPrefix: `${prefix}:${queueName}:` };
}

const head = (k: FairKeys) => [k.base, k.prioritized, k.jobPrefix];

export type Reservation = { kind: 'ok'; priority: number } | { kind: 'dup' } | { kind: 'user' | 'story'; waiting: number };

export async function reserveSlot(
  redis: Redis,
  k: FairKeys,
  job: { jobId: string; user: string; lane: string; maxPerUser: number; maxPerLane: number },
): Promise<Reservation> {
  const [kind, value] = (await runScript(redis, reserve, [
    ...head(k), job.jobId, job.user, job.lane, job.maxPerUser, job.maxPerLane, MAX_PRIORITY,
  ])) as [string, number];
  if (kind === 'ok') return { kind, priority: value };
  if (kind === 'dup') return { kind };
  return { kind: kind as 'user' | 'story', waiting: value };
}

export async function settleSlots(redis: Redis, k: FairKeys, user: string): Promise<void> {
  await runScript(redis, settleUser, [...head(k), user]);
}

/** Worker side, when a job becomes active. Idempotent. Returns the job's tag (0 if untracked). */
export async function markStarted(redis: Redis, k: FairKeys, jobId: string): Promise<number> {
  return Number(await runScript(redis, started, [...head(k), jobId]));
}

/** A waiting job is gone without running. Idempotent. */
export async function markWithdrawn(redis: Redis, k: FairKeys, jobId: string): Promise<boolean> {
  return Number(await runScript(redis, withdrawn, [...head(k), jobId])) === 1;
}
