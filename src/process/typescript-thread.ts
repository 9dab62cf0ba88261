/**
 * Starts a worker_threads thread whose entry is a TypeScript file, the way `npm start` runs: under
 * tsx. The thread begins in typescript-thread-boot.mjs, which registers tsx in the thread (Node 20
 * does not hand the parent's loader to threads) and imports `entry`. Works from tsx and from vitest.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

const boot = new URL('./typescript-thread-boot.mjs', import.meta.url);

/** A thread running `entry` (a .ts module URL); `data` reaches it as `workerData.data`. */
export function startTypeScriptThread(entry: URL, data?: unknown, options: Omit<WorkerOptions, 'workerData'> = {}): Worker {
  return new Worker(boot, { ...options, workerData: { entry: entry.href, data } });
}
