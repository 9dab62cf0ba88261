/**
 * What every command, handler and listener receives: the configuration, the logger, the discord.js
 * client and the bot's adapters (render queue, story store and ledger, blob store, planner) plus the
 * bot's own services (drafts, votes, progress, queue watch, story cards). Built once in start-bot.ts; tests build it the same way.
 */
import type { Client } from 'discord.js';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { CountTokens } from '../core/prompt/prompt-assembly.js';
import type { Planner } from '../planner/index.js';
import type { BlobStore, FairQueue } from '../queue/index.js';
import type { MirroredRateLimiter } from '../store/mirrored-rate-limiter.js';
import type { RedisRenderLedger } from '../store/render-ledger.js';
import type { StoryRepository } from '../store/story-repository.js';
import type { GuildSettingsCache } from './content/guild-settings-cache.js';
import type { DraftService } from './drafts/draft-service.js';
import type { ProgressBoard } from './drafts/progress-board.js';
import type { QueueWatch } from './drafts/queue-watch.js';
import type { StoryCardBoard } from './stories/story-card-board.js';
import type { VoteService } from './votes/vote-service.js';

export interface BotContext {
  config: Config;
  log: Logger;
  client: Client;
  redis: Redis;
  queue: FairQueue;
  stories: StoryRepository;
  /** Per-story time/energy ledger of finished renders (for /budget). */
  ledger: RedisRenderLedger;
  blobs: BlobStore;
  planner: Planner;
  /** Token counter prompts are fitted with (the model's tokenizer when readable, else an upper estimate). */
  countTokens: CountTokens;
  drafts: DraftService;
  votes: VoteService;
  progress: ProgressBoard;
  /** Refreshes queue position and ETA on drafts that are still waiting. */
  queueWatch: QueueWatch;
  /** Keeps each story's pinned card current. */
  cards: StoryCardBoard;
  /** Server settings for the content checks, cached for seconds (guild-settings-cache.ts). */
  guildSettings: GuildSettingsCache;
  /** Per-member rate limit (see rate-limit-check.ts); undefined when RATE_LIMIT_PER_MINUTE is 0. */
  rateLimiter?: MirroredRateLimiter;
  /** Key prefix for the bot's own Redis keys (`<QUEUE_PREFIX>:discord:`). */
  keyPrefix: string;
  now(): number;
}
