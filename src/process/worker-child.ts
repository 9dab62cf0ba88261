/**
 * `npm start` runs one render worker beside the bot as a child process, so a single machine works out
 * of the box while inference still never runs on the bot's event loop. The child is restarted with a
 * growing delay if it dies; GPU hosts run `npm run worker` directly instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.js';

const workerEntry = fileURLToPath(new URL('../../workers/render-worker.ts', import.meta.url));

export interface WorkerChild {
  stop(): Promise<void>;
}

export function startWorkerChild(log: Logger, env: NodeJS.ProcessEnv = process.env): WorkerChild {
  let child: ChildProcess | null = null;
  let stopping = false;
  let delayMs = 1000;

  const launch = () => {
    const startedAt = Date.now();
    child = spawn(process.execPath, ['--import', 'tsx', workerEntry], { stdio: 'inherit', env });
    child.on('exit', (code, signal) => {
      child = null;
      if (stopping) return;
      // A worker that ran for a while earns a fast restart; one that dies at once backs off.
      delayMs = Date.now() - startedAt > 60_000 ? 1000 : Math.min(delayMs * 2, 60_000);
      log.warn({ code, signal, restartInMs: delayMs }, 'render worker exited; restarting');
      setTimeout(() => stopping || launch(), delayMs).unref();
    });
  };
  launch();

  return {
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        const running = child;
        if (!running) return resolve();
        running.once('exit', () => resolve());
        running.kill('SIGTERM');
        setTimeout(() => running.kill('SIGKILL'), 15_000).unref();
      }),
  };
}
