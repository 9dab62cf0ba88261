/**
 * Shared set-up for the bot tests: the fake Discord, a random Redis prefix and data folder, the real
 * bot (startBot) logged into the fake with its commands registered, and worker processes — the real
 * workers/render-worker.ts on the toy model, or the cheap step worker of the queue tests. Not a test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/log.js';
import { loadCommands } from '../../src/discord/command-loader.js';
import { registerCommands } from '../../src/discord/command-registration.js';
import { startBot, type RunningBot } from '../../src/discord/start-bot.js';
import { connectForBot } from '../../src/queue/index.js';
import { FakeDiscord, type FakeGuildSpec } from '../../src/playground/discord-server/index.js';
import { stopChild } from '../queue/queue-harness.js';
import { deletePrefixKeys } from '../support/redis-keys.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const renderWorker = fileURLToPath(new URL('../../workers/render-worker.ts', import.meta.url));
const stepWorker = fileURLToPath(new URL('../queue/step-worker.ts', import.meta.url));

export interface BotBed {
  discord: FakeDiscord;
  config: Config;
  bot: RunningBot;
  redis: Redis;
  restartBot(): Promise<RunningBot>;
  /** Stops the bot without starting another (members may act on the fake meanwhile). */
  stopBot(): Promise<void>;
  startBot(): Promise<RunningBot>;
  /** Moves the bot's clock (ctx.now, used for vote deadlines) relative to the wall clock. */
  setBotClockOffset(ms: number): void;
  spawnWorker(kind: 'toy' | 'step', env?: Record<string, string>): Promise<ChildProcess>;
  cleanup(): Promise<void>;
}

export interface BotBedOptions {
  /** Queue-position refresh interval of the bot (default: the bot's own). */
  queueRefreshMs?: number;
  /** The loopback Discord's upload limit (default Discord's 10 MiB; Nitro members may send far more). */
  attachmentSizeLimit?: number;
  /** Entry of the bot's planner threads (default the real one; see test/planner/misbehaving-planner-thread.ts). */
  plannerThreadEntry?: URL;
  /** The bot's logger (default: pino at LOG_LEVEL on stdout); tests that read the bot's log pass their own. */
  log?: Logger;
}

/**
 * Starts a render worker process on `prefix` and `dataDir`: the real workers/render-worker.ts on the
 * toy model, or the step worker. `ready` resolves once it takes jobs.
 */
export function spawnBedWorker(kind: 'toy' | 'step', prefix: string, dataDir: string, extra: Record<string, string> = {}): { process: ChildProcess; ready: Promise<ChildProcess> } {
  const child = spawn(process.execPath, ['--import', 'tsx', kind === 'toy' ? renderWorker : stepWorker], {
    env: {
      ...process.env, REDIS_URL, QUEUE_PREFIX: prefix, DATA_DIR: dataDir, MODEL_DIR: 'models/toy', RENDER_STEPS: '4', PREVIEW_EVERY: '1',
      WORKER_CONCURRENCY: '1', ORT_THREADS: '1', LOG_LEVEL: 'info', TEST_LOG_LEVEL: 'info', STEP_MS: '400', ...extra,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise<ChildProcess>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/ready/.test(out)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited early with ${code}: ${out.slice(-500)}`)));
  });
  return { process: child, ready };
}

export async function createBotBed(env: Record<string, string> = {}, guild?: FakeGuildSpec | FakeGuildSpec[], options: BotBedOptions = {}): Promise<BotBed> {
  const guilds = Array.isArray(guild) ? guild : [guild ?? { name: 'Story Club', channels: ['general'], users: ['alice', 'bob', 'carol'] }];
  const discord = await FakeDiscord.start({ guilds, ...(options.attachmentSizeLimit ? { attachmentSizeLimit: options.attachmentSizeLimit } : {}) });
  const prefix = `tfbot-${randomBytes(5).toString('hex')}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'taleframe-bot-'));
  const config = loadConfig({
    DISCORD_TOKEN: discord.token, DISCORD_APPLICATION_ID: discord.bot.id, DISCORD_API_BASE: discord.restBase,
    // The loopback Discord serves attachments from 127.0.0.1: allow that host, as an operator would.
    ATTACHMENT_HOSTS: '127.0.0.1',
    REDIS_URL, QUEUE_PREFIX: prefix, DATA_DIR: dataDir, RENDER_WIDTH: '64', RENDER_HEIGHT: '64', RENDER_STEPS: '4',
    // Tests act far faster than people: the per-member rate limit is off unless a test sets it
    // (test/discord-rate-limit.test.ts, and the load run with the production defaults).
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...env,
  });
  await registerCommands((await loadCommands()).values(), { token: discord.token, applicationId: discord.bot.id, apiBase: discord.restBase });
  const log = options.log ?? createLogger(config.LOG_LEVEL, 'bot');
  let clockOffset = 0;
  const now = () => Date.now() + clockOffset;
  const start = () => startBot(config, log, { rest: { cdn: discord.cdnBase }, now, queueRefreshMs: options.queueRefreshMs, plannerThreadEntry: options.plannerThreadEntry });
  // env may name another Redis (a test's own, which it restarts): the bed, bot and workers all use it.
  const redis = await connectForBot(config.REDIS_URL);
  const workers: ChildProcess[] = [];
  const bed: BotBed = {
    discord, config, redis, bot: await start(),
    async restartBot() {
      await bed.bot.stop();
      bed.bot = await start();
      return bed.bot;
    },
    stopBot: () => bed.bot.stop(),
    async startBot() {
      bed.bot = await start();
      return bed.bot;
    },
    setBotClockOffset(ms) {
      clockOffset = ms;
    },
    spawnWorker: (kind, extra = {}) => {
      const child = spawnBedWorker(kind, prefix, dataDir, { REDIS_URL: config.REDIS_URL, ...extra });
      workers.push(child.process);
      return child.ready;
    },
    async cleanup() {
      await Promise.all(workers.map((w) => stopChild(w)));
      await bed.bot.stop();
      await discord.close();
      await deletePrefixKeys(prefix, redis);
      redis.disconnect();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return bed;
}
