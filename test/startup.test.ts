import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runEntry } from './support/run-node.js';

// `npm start` must refuse to start with one clear sentence, not a stack trace, when it cannot work.
describe('npm start refuses a configuration it cannot run with', () => {
  it('without DISCORD_TOKEN runs the playground, and names PLAYGROUND_PORT when that port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const result = await runEntry('src/main.ts', [], cleanEnv({ PLAYGROUND_PORT: String(port), REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }), 90_000);
      expect(result.code).not.toBe(0);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toBe(`taleframe: port ${port} on 127.0.0.1 is in use: set PLAYGROUND_PORT to a free port.`);
    } finally {
      taken.close();
    }
  }, 100_000);

  it('exits non-zero with one sentence when Redis does not answer', async () => {
    const result = await runEntry('src/main.ts', [], cleanEnv({ DISCORD_TOKEN: 'x.y.z', REDIS_URL: 'redis://127.0.0.1:1' }));
    expect(result.code).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Redis at redis:\/\/127\.0\.0\.1:1 did not answer/);
  });

  it('names the variable when a setting is invalid', async () => {
    const result = await runEntry('src/main.ts', [], cleanEnv({ DISCORD_TOKEN: 'x', WORKER_CONCURRENCY: 'lots' }));
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/WORKER_CONCURRENCY is not valid/);
  });

  it('reads .env (ENV_FILE) before validating, and the environment wins over the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taleframe-env-'));
    try {
      const file = join(dir, '.env');
      await writeFile(file, '# as copied from .env.example\nDISCORD_TOKEN=x\nWORKER_CONCURRENCY=many\nRENDER_STEPS=lots\n');
      // The file's bad WORKER_CONCURRENCY is overridden by the environment; its RENDER_STEPS is not.
      const result = await runEntry('src/main.ts', [], cleanEnv({ ENV_FILE: file, WORKER_CONCURRENCY: '1' }));
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/RENDER_STEPS is not valid/);
      expect(result.stderr).not.toMatch(/WORKER_CONCURRENCY/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
