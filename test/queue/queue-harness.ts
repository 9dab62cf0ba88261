/**
 * Shared set-up for the queue tests: a random queue prefix per test on the real Redis (REDIS_URL or
 * 127.0.0.1:6379), removed afterwards; real worker processes spawned from step-worker.ts; waiting
 * helpers. Not a test file itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { connectForBot, FairQueue, type FairQueueOptions } from '../../src/queue/index.js';
import { deletePrefixKeys } from '../support/redis-keys.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const workerEntry = fileURLToPath(new URL('./step-worker.ts', import.meta.url));

export interface QueueTestbed {
  prefix: string;
  dataDir: string;
  redis: Redis;
  fq: FairQueue;
  workers: ChildProcess[];
  spawnWorker(env?: Record<string, string>): Promise<ChildProcess>;
  cleanup(): Promise<void>;
}

export interface TestbedOptions {
  /** Another Redis than REDIS_URL (a test's own, which it restarts); the workers use it too. */
  redisUrl?: string;
}

export async function createTestbed(opts: Partial<FairQueueOptions> = {}, bedOpts: TestbedOptions = {}): Promise<QueueTestbed> {
  const prefix = `tftest-${randomBytes(5).toString('hex')}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'taleframe-queue-'));
  const redisUrl = bedOpts.redisUrl ?? REDIS_URL;
  const redis = await connectForBot(redisUrl);
  const fq = new FairQueue({ connection: redis, prefix, maxWaitingPerUser: 8, maxWaitingPerStory: 24, backoffMs: 200, ...opts });
  const workers: ChildProcess[] = [];
  const spawnWorker = (env: Record<string, string> = {}) =>
    new Promise<ChildProcess>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', workerEntry], {
        env: {
          ...process.env,
          REDIS_URL: redisUrl,
          QUEUE_PREFIX: prefix,
          DATA_DIR: dataDir,
          WORKER_CONCURRENCY: '1',
          WORKER_LOCK_MS: '2000',
          STALLED_INTERVAL_MS: '1000',
          PREVIEW_EVERY: '2',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      workers.push(child);
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('ready ')) resolve(child);
      });
      child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
    });
  return {
    prefix,
    dataDir,
    redis,
    fq,
    workers,
    spawnWorker,
    async cleanup() {
      await Promise.all(workers.map((w) => stopChild(w)));
      await fq.close();
      await deletePrefixKeys(prefix, redis);
      redis.disconnect();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
    setTimeout(() => child.kill('SIGKILL'), 8000).unref();
  });
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
