import { describe, expect, it } from 'vitest';
import { cleanEnv, runEntry } from './support/run-node.js';

// The bot must refuse to start with one clear sentence, not a stack trace, when it cannot work.
describe('npm start refuses a configuration it cannot run with', () => {
  it('exits non-zero with one sentence when DISCORD_TOKEN is missing', async () => {
    const result = await runEntry('src/main.ts', [], cleanEnv());
    expect(result.code).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/DISCORD_TOKEN is not set/);
    expect(result.stderr).not.toMatch(/\s+at\s/);
  });

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
});
