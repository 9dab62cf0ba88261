/**
 * A redis-server of a test's own, for tests that restart Redis (the shared one at 127.0.0.1:6379 is
 * never restarted). It runs as the embedded Redis does (src/process/embedded-redis.ts): append-only
 * file with `appendfsync always`, so every write Redis acknowledged is on disk before the reply, and
 * survives a SIGKILL. `crash()` kills it like a host losing power, `stop()` shuts it down cleanly,
 * and `start()` brings it back on the SAME port and data folder, so clients reconnect to the same
 * URL and find what was acknowledged. Not a test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/process/embedded-redis.js';
import { assertRedisReachable } from '../../src/process/redis-check.js';

export interface OwnRedis {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** How often it was started (1 after ownRedis()). */
  readonly starts: number;
  /** SIGKILL: no shutdown, no final flush; only what was fsynced survives. */
  crash(): Promise<void>;
  /** SIGTERM: Redis flushes its append-only file and exits. */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder; resolves once it answers PING. */
  start(): Promise<void>;
  /** crash() (or stop()), wait `downMs`, start(). */
  restart(how?: 'crash' | 'stop', downMs?: number): Promise<void>;
  /** Stops it and deletes its folder. */
  dispose(): Promise<void>;
}

export async function ownRedis(): Promise<OwnRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'taleframe-own-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let starts = 0;

  const running = () => child !== null && child.exitCode === null && child.signalCode === null;
  const halt = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (!running()) return resolve();
      child!.once('exit', () => resolve());
      child!.kill(signal);
    });
  const start = async () => {
    if (running()) throw new Error(`own redis on port ${port} is already running`);
    const args = [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no', '--save', '',
      '--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction', '--loglevel', 'warning',
    ];
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    proc.stdout!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-2000)));
    proc.stderr!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-2000)));
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (!running()) throw new Error(`own redis exited at start: ${output.trim() || 'no output'}`);
      try {
        await assertRedisReachable(url, 1000);
        break;
      } catch (error) {
        // Right after a restart Redis answers LOADING while it replays the file: wait it out.
        if (Date.now() > deadline) throw new Error(`own redis did not answer on port ${port}: ${output.trim()}`, { cause: error });
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    starts += 1;
  };
  const handle: OwnRedis = {
    url, port, dir,
    get starts() {
      return starts;
    },
    crash: () => halt('SIGKILL'),
    stop: () => halt('SIGTERM'),
    start,
    async restart(how = 'crash', downMs = 500) {
      await (how === 'crash' ? handle.crash() : handle.stop());
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async dispose() {
      await halt('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
  await start();
  return handle;
}
