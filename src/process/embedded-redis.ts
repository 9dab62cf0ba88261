/**
 * Redis as an embedded default: when REDIS_URL is not set and nothing answers on 127.0.0.1:6379,
 * `npm start` runs a `redis-server` child with its data under DATA_DIR/redis (append-only file,
 * fsync on every write, no eviction - what BullMQ needs) on a free loopback port, and stops it on exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { assertRedisReachable } from './redis-check.js';

export interface EmbeddedRedis {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedRedisOptions {
  /** DATA_DIR; Redis keeps its files in `<dataDir>/redis`. */
  dataDir: string;
  /** Port to listen on (default: a free one). */
  port?: number;
  /** The redis-server binary (default: `redis-server` on PATH). */
  binary?: string;
  /** How long to wait for the first PING (default 10 s). */
  startTimeoutMs?: number;
}

export const NO_REDIS_SERVER =
  'REDIS_URL is not set and nothing answers on 127.0.0.1:6379, and there is no redis-server to start: install it (Debian: apt-get install redis-server), run `docker compose up -d redis`, or set REDIS_URL.';

/** Starts redis-server and resolves once it answers PING; rejects with one sentence otherwise. */
export async function startEmbeddedRedis(options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const dir = path.resolve(options.dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--dir', dir, '--daemonize', 'no',
    '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction', '--loglevel', 'warning',
  ];
  const child = spawn(options.binary ?? 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => reject(new Error(error.code === 'ENOENT' ? NO_REDIS_SERVER : `redis-server could not start (${error.message}).`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited at start (code ${code}): ${lastLine(output) || 'no output'}.`)));
  });
  const url = `redis://127.0.0.1:${port}`;
  try {
    await Promise.race([failed, answers(url, options.startTimeoutMs ?? 10_000)]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  failed.catch(() => {}); // later exits are the stop() path's business
  return { url, port, dataDir: dir, stop: () => stopChild(child) };
}

async function answers(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertRedisReachable(url, 1000);
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`redis-server did not answer within ${timeoutMs} ms.`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM'); // Redis flushes its append-only file and exits
  });
}

/** A TCP port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}
