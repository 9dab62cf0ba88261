/**
 * Lowers this process's CPU priority (its nice value), for render workers: renders are batch work,
 * and on a host they share with the bot or Redis, a member's click must be answered first. Measured
 * in the load bench (2 cores: bot, worker, Redis and the loopback Discord together): with the worker
 * at the bot's priority, acknowledgements waited for CPU.
 *
 * On Linux nice is a property of each thread, and threads inherit it only when they are created, so
 * every thread already running (libuv's pool, onnxruntime's) is lowered too, through /proc/self/task.
 */
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Sets nice `value` (0-19) on this process and each of its threads, never raising one an operator
 * already set lower (e.g. `nice -n 15 npm run worker`); returns how many threads it looked at.
 */
export function lowerPriority(value: number): number {
  if (value <= 0) return 0;
  const lower = (tid: number) => setPriority(tid, Math.max(value, getPriority(tid)));
  lower(0);
  let threads = 1;
  let tids: string[] = [];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return threads; // not Linux: the process priority is all there is
  }
  for (const tid of tids) {
    if (Number(tid) === process.pid) continue;
    try {
      lower(Number(tid));
      threads++;
    } catch {
      // the thread ended meanwhile
    }
  }
  return threads;
}
