// Tokens and API keys never appear in logs (issue 14): the scrubber on its own, the logger every
// process uses, and a real `illustrate` run (bot-side planner + worker child) whose captured output is
// grepped for the secrets it was configured with.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { secretScrubber, secretsFromEnv } from '../src/log-secrets.js';
import { FakeOpenAI } from './fake-openai/fake-openai-server.js';
import { deletePrefixKeys } from './support/redis-keys.js';
import { cleanEnv, runEntry } from './support/run-node.js';

// Shaped like the real things: a Discord bot token (base64 id . timestamp . hmac) and an OpenAI key.
const DISCORD_TOKEN = `${Buffer.from('1164092034817318912').toString('base64url')}.GkQ3xw.${randomBytes(28).toString('base64url')}`;
const API_KEY = `sk-proj-${randomBytes(24).toString('base64url')}`;

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('secretScrubber', () => {
  const scrub = secretScrubber(['hunter2-but-longer', 'short']);

  it('hides configured secrets, also JSON-escaped, and leaves short values alone', () => {
    expect(scrub('password is hunter2-but-longer!')).toBe('password is [redacted]!');
    expect(scrub(JSON.stringify({ msg: 'a "hunter2-but-longer"' }))).not.toContain('hunter2');
    // Values under 8 characters would mangle ordinary words: not scrubbed by value.
    expect(scrub('a short story')).toBe('a short story');
  });

  it('hides secret-shaped strings it was not told about', () => {
    expect(scrub(`token ${DISCORD_TOKEN} end`)).toBe('token [redacted] end');
    expect(scrub(`{"authorization":"Bot ${'x'.repeat(30)}"}`)).toBe('{"authorization":"Bot [redacted]"}');
    expect(scrub(`Bearer ${'A1b2'.repeat(8)}`)).toBe('Bearer [redacted]');
    expect(scrub(`key ${API_KEY}`)).toBe('key [redacted]');
    expect(scrub('redis://default:s3cret@redis.internal:6379/0')).toBe('redis://default:[redacted]@redis.internal:6379/0');
  });

  it('leaves ordinary log text untouched', () => {
    for (const line of ['a red fox in the snow at dusk', 'job 42:draft:1a2b3c done in 812 ms', 'http://127.0.0.1:8080/v1/chat', 'Bot ready', 'the Bot said hello']) {
      expect(scrub(line)).toBe(line);
    }
  });

  it('finds secrets in the environment by variable name and in URL passwords', () => {
    const found = secretsFromEnv({ DISCORD_TOKEN: 'a', OPENAI_API_KEY: 'b', REDIS_URL: 'redis://u:pw123456@h:1', LOG_LEVEL: 'info' });
    expect(found).toEqual(expect.arrayContaining(['a', 'b', 'pw123456']));
    expect(found).not.toContain('info');
  });
});

describe('createLogger', () => {
  it('redacts known fields and scrubs secrets inside messages and errors', () => {
    const lines: string[] = [];
    const log = createLogger('debug', 'test', { secrets: [DISCORD_TOKEN, API_KEY], destination: { write: (l: string) => lines.push(l) } });
    log.info({ config: { DISCORD_TOKEN, OPENAI_API_KEY: API_KEY, LOG_LEVEL: 'debug' } }, 'configured');
    log.error({ err: new Error(`401 Incorrect API key provided: ${API_KEY}`) }, 'llm failed');
    log.warn({ request: { headers: { authorization: `Bot ${DISCORD_TOKEN}` } } }, 'discord request');
    log.info(`connecting with ${DISCORD_TOKEN}`);
    const out = lines.join('');
    expect(lines).toHaveLength(4);
    expect(out).not.toContain(DISCORD_TOKEN);
    expect(out).not.toContain(API_KEY);
    expect(out).toContain('"LOG_LEVEL":"debug"');
    expect(out.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(5);
  });
});

describe('a real run', () => {
  it('illustrate with a refused API key logs the failure without the key or the Discord token', async () => {
    const openai = await FakeOpenAI.start();
    cleanups.push(() => openai.close());
    // The API answers 401 and, like OpenAI's, repeats the key it refused.
    openai.script(...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 401, message: `Incorrect API key provided: ${API_KEY}.` })));
    const tmp = await mkdtemp(path.join(tmpdir(), 'taleframe-secrets-'));
    cleanups.push(() => rm(tmp, { recursive: true, force: true }));
    const prefix = `tf-secrets-${randomBytes(4).toString('hex')}`;
    cleanups.push(() => deletePrefixKeys(prefix));
    const env = cleanEnv({
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: prefix,
      DATA_DIR: path.join(tmp, 'data'),
      MODEL_DIR: 'models/toy',
      OPENAI_BASE_URL: openai.baseURL,
      OPENAI_API_KEY: API_KEY,
      DISCORD_TOKEN,
      LOG_LEVEL: 'trace',
    });
    const result = await runEntry('src/cli/illustrate.ts', ['examples/aesop-tortoise-and-hare.txt', '--out', path.join(tmp, 'out'), '--size', '64x64', '--steps', '2', '--verbose'], env, 120_000);
    const output = result.stdout + result.stderr;
    expect(result.code, output.slice(-2000)).toBe(0);
    // The key was really used (so there was something to leak) and the failure was logged.
    expect(openai.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(output).toContain('planning offline instead of with the LLM');
    expect(output).not.toContain(API_KEY);
    expect(output).not.toContain(API_KEY.slice(0, 20));
    expect(output).not.toContain(DISCORD_TOKEN);
  }, 150_000);
});
