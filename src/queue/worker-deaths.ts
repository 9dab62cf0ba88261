/**
 * Who died holding a job, and the poison-job rule. When a worker starts a job it claims it
 * (`<prefix>:deaths:holder:<jobId>` = "<worker> <step>", the step kept current as the job advances);
 * when the job ends in that worker in any way (done, failed, cancelled, handed back on SIGTERM) the
 * claim is dropped. So a claim still present when BullMQ's stalled check takes the job back, or when
 * the next worker starts it, means its holder died with it (SIGKILL, OOM, a lost host): the death is
 * numbered from one fleet-wide counter and added to the job's list with the step it had reached.
 *
 * A job is poison when the last `limit` deaths holding it were of different workers, all at the same
 * step (a deterministic crash: same input, same code, same place), and the job was in at least half
 * of the fleet's deaths since its first one (it is the common factor). Workers that die for reasons
 * that are not the job's fault (a host reboot, a spot instance taken back, chaos testing) die at
 * random steps and spread their deaths over many jobs, so an unlucky job is run again instead; the
 * stall limit (WORKER_MAX_STALLS) still bounds it. Every step is one Lua call, so racing workers see
 * one consistent story.
 */
import type { Redis } from 'ioredis';
import { luaScript, runScript } from './redis-script.js';

const KEEP_SECONDS = 7 * 24 * 3600;

// A claim left behind by another worker is a death: number it and add it to the job's list.
const recordDeath = `
local B, jobId, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local holderKey, deathsKey = B..'holder:'..jobId, B..'deaths:'..jobId
local function recordDeath(except)
  local prev = redis.call('GET', holderKey)
  if prev and string.sub(prev, 1, #except + 1) ~= except..' ' then
    local seq = redis.call('INCR', B..'seq')
    redis.call('RPUSH', deathsKey, seq..' '..prev)
    redis.call('EXPIRE', deathsKey, ttl)
    redis.call('DEL', holderKey)
  end
end
`;

const claimScript = luaScript(`${recordDeath}
local worker = ARGV[4]
recordDeath(worker)
redis.call('SET', holderKey, worker..' 0', 'EX', ttl)
local out = { tonumber(redis.call('GET', B..'seq') or '0') }
for _, entry in ipairs(redis.call('LRANGE', deathsKey, 0, -1)) do table.insert(out, entry) end
return out
`);

const stalledScript = luaScript(`${recordDeath}
recordDeath('')
return 1
`);

const stepScript = luaScript(`
local key, worker, step = ARGV[1], ARGV[2], ARGV[3]
local cur = redis.call('GET', key)
if cur and string.sub(cur, 1, #worker + 1) == worker..' ' then redis.call('SET', key, worker..' '..step, 'KEEPTTL') end
return 1
`);

const releaseScript = luaScript(`
local key, worker = ARGV[1], ARGV[2]
local cur = redis.call('GET', key)
if cur and string.sub(cur, 1, #worker + 1) == worker..' ' then redis.call('DEL', key) end
return 1
`);

export interface WorkerDeath {
  worker: string;
  /** The last step the job reported in that worker (0 = died before its first step). */
  step: number;
}

export interface JobDeaths {
  /** Deaths of workers holding this job, oldest first. */
  deaths: WorkerDeath[];
  /** Deaths of any worker holding any job, fleet-wide, since this job's first death (inclusive). */
  fleetDeathsSince: number;
}

const base = (prefix: string) => `${prefix}:deaths:`;
const holderKey = (prefix: string, jobId: string) => `${base(prefix)}holder:${jobId}`;

/** Worker side, when a job starts: claims it and returns the deaths it has seen so far. */
export async function claimJob(redis: Redis, prefix: string, jobId: string, workerId: string): Promise<JobDeaths> {
  const reply = (await runScript(redis, claimScript, [base(prefix), jobId, KEEP_SECONDS, workerId])) as (string | number)[];
  const now = Number(reply[0]);
  const entries = reply.slice(1).map((e) => String(e).split(' '));
  const first = entries.length > 0 ? Number(entries[0]![0]) : now + 1;
  return {
    deaths: entries.map(([, worker, step]) => ({ worker: worker ?? '', step: Number(step ?? 0) })),
    fleetDeathsSince: Math.max(0, now - first + 1),
  };
}

/**
 * Worker side, when BullMQ's stalled check (in whichever worker ran it) takes a job back: its holder
 * died just now, so deaths are numbered in the order they happened, not when jobs restart.
 */
export async function recordStalledJob(redis: Redis, prefix: string, jobId: string): Promise<void> {
  await runScript(redis, stalledScript, [base(prefix), jobId, KEEP_SECONDS]);
}

/** Worker side, as the job advances: the step a death would be recorded at. */
export async function markHolderStep(redis: Redis, prefix: string, jobId: string, workerId: string, step: number): Promise<void> {
  await runScript(redis, stepScript, [holderKey(prefix, jobId), workerId, step]);
}

/** Worker side, when a job ends in this worker for any reason: it did not die with it. */
export async function releaseJob(redis: Redis, prefix: string, jobId: string, workerId: string): Promise<void> {
  await runScript(redis, releaseScript, [holderKey(prefix, jobId), workerId]);
}

/**
 * The poison rule (see the module comment).
 * @example isPoison({ deaths: [{ worker: 'a', step: 0 }, { worker: 'b', step: 0 }, { worker: 'c', step: 0 }], fleetDeathsSince: 3 }, 3) // true
 * @example isPoison({ deaths: [{ worker: 'a', step: 2 }, { worker: 'b', step: 9 }, { worker: 'c', step: 5 }], fleetDeathsSince: 3 }, 3) // false: random steps
 */
export function isPoison(history: JobDeaths, limit: number): boolean {
  const last = history.deaths.slice(-limit);
  if (last.length < limit) return false;
  const sameStep = last.every((d) => d.step === last[0]!.step);
  const differentWorkers = new Set(last.map((d) => d.worker)).size === limit;
  return sameStep && differentWorkers && history.deaths.length * 2 >= history.fleetDeathsSince;
}

/** How many different workers died holding the job. */
export function workersLost(history: JobDeaths): number {
  return new Set(history.deaths.map((d) => d.worker)).size;
}
