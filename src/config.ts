/**
 * The one module that reads process.env. Every setting has a default that works on a laptop with the
 * toy model and a local Redis; everything else in Taleframe receives a Config (or a slice of it) and
 * never touches the environment itself, so tests can build configs directly.
 */
import { z } from 'zod';
import { BUDGET_QUALITIES } from './core/budget/budget-rule.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

/** Where Redis is looked for when REDIS_URL is not set (and an embedded one is started when nothing answers). */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Environment schema: names, types, bounds and defaults. .env.example documents each one. */
const envObject = z.object({
  // Discord
  DISCORD_TOKEN: optionalText,
  DISCORD_APPLICATION_ID: optionalText,
  DISCORD_GUILD_ID: optionalText,
  DISCORD_API_BASE: z.string().url().default('https://discord.com/api'),
  DISCORD_READ_MESSAGES: bool.default(true),
  // Local playground (npm start without DISCORD_TOKEN)
  PLAYGROUND_HOST: z.string().min(1).default('127.0.0.1'),
  PLAYGROUND_PORT: int(0, 65535).default(3000),
  // Redis and queue
  REDIS_URL: optionalText.pipe(z.string().url().optional()),
  QUEUE_PREFIX: z.string().min(1).max(40).default('taleframe'),
  QUEUE_MAX_WAITING_PER_USER: int(1, 1000).default(8),
  QUEUE_MAX_WAITING_PER_STORY: int(1, 10000).default(24),
  // Storage
  DATA_DIR: z.string().min(1).default('./data'),
  // Rendering (worker side)
  MODEL_DIR: z.string().min(1).default('./models/storybook'),
  ORT_EXECUTION_PROVIDER: z.enum(['cpu', 'cuda']).default('cpu'),
  ORT_THREADS: int(0, 256).default(0),
  ORT_CACHE_DIR: optionalText,
  WORKER_CONCURRENCY: int(1, 16).default(1),
  WORKER_LOCK_MS: int(1000, 600_000).default(30_000),
  WORKER_MAX_STALLS: int(1, 1000).default(10),
  WORKER_POISON_LIMIT: int(2, 100).default(3),
  // CPU priority of a render worker (nice 0-19): renders give way to the bot and Redis on a shared host.
  WORKER_NICE: int(0, 19).default(10),
  RENDER_WIDTH: int(64, 2048).default(512),
  RENDER_HEIGHT: int(64, 2048).default(512),
  RENDER_STEPS: int(1, 200).default(30),
  RENDER_GUIDANCE: z.coerce.number().min(0).max(30).default(5),
  PREVIEW_EVERY: int(1, 100).default(5),
  // Upscales larger than this are redrawn in overlapping tiles of this size (0 = the model's native size).
  UPSCALE_TILE_SIZE: int(0, 2048).refine((n) => n === 0 || (n >= 64 && n % 8 === 0), 'must be 0 or a multiple of 8 from 64').default(0),
  // Step budgets
  BUDGET_QUALITY: z.enum(BUDGET_QUALITIES).default('balanced'),
  DEVICE_WATTS: z.coerce.number().min(1).max(5000).default(250),
  // Story planning
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: optionalText,
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  OPENAI_TIMEOUT_MS: int(1000, 600_000).default(30_000),
  // The offline planner runs in a thread pool beside the bot's event loop.
  PLANNER_THREADS: int(1, 16).default(1),
  PLANNER_QUEUE_MAX: int(0, 1000).default(16),
  PLANNER_TIMEOUT_MS: int(1000, 600_000).default(60_000),
  // Per-member rate limit of commands, buttons, passages and refines (0 a minute = off).
  RATE_LIMIT_PER_MINUTE: int(0, 10_000).default(20),
  RATE_LIMIT_BURST: int(1, 1000).default(10),
  // Media
  FFMPEG_PATH: optionalText,
  FFPROBE_PATH: optionalText,
  UPLOAD_LIMIT_BYTES: int(1024, 500 * 1024 * 1024).default(10 * 1024 * 1024),
  ATTACHMENT_HOSTS: z
    .string()
    .default('cdn.discordapp.com,media.discordapp.net')
    .transform((v) => v.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean)),
  ATTACHMENT_TIMEOUT_MS: int(1000, 300_000).default(30_000),
  // Operations
  METRICS_PORT: int(0, 65535).default(0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/**
 * The validated environment. REDIS_URL always holds a URL; `redisUrlGiven` says whether the operator
 * chose it (otherwise `npm start` may start an embedded Redis when nothing answers at the default).
 */
export const envSchema = envObject.transform(({ REDIS_URL, ...rest }) => ({
  ...rest, REDIS_URL: REDIS_URL ?? DEFAULT_REDIS_URL, redisUrlGiven: REDIS_URL !== undefined,
}));

export type Config = z.infer<typeof envSchema>;

/** A setting is wrong; `message` is one sentence a person can act on. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads and validates the environment. Throws ConfigError with one sentence naming the first bad
 * variable and what it should be.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = envSchema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0] ?? 'environment');
  throw new ConfigError(`${name} is not valid (${issue.message.toLowerCase()}): fix it in .env or the environment.`);
}

/** The planner is an LLM when either an API key or a base URL is given, else the offline one. */
export function llmConfigured(config: Config): boolean {
  return config.OPENAI_API_KEY !== undefined || config.OPENAI_BASE_URL !== undefined;
}
