// The first module of every TypeScript worker thread (see typescript-thread.ts). Node 20 does not
// pass the parent's `--import tsx` loader on to worker threads, so each thread registers tsx itself
// and then imports its real entry, a .ts file, whose URL the parent put in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
