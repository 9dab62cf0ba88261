/**
 * Starts the Discord side of Taleframe: logs the discord.js client in against DISCORD_API_BASE, builds
 * the bot's context (render queue, story store, blobs, planner, drafts, votes, progress), wires the
 * listeners, delivers finished renders (QueueEvents + a start-up sweep, exactly once), re-arms open
 * votes and keeps waiting drafts' queue positions fresh. Returns a handle that stops all of it.
 * When Redis restarts, the connection reconnects by itself; the bot then sweeps renders that finished
 * meanwhile and re-syncs open votes from their reactions (members kept reacting; deadlines may have
 * passed while nothing could be closed).
 */
import { Client, Events, GatewayIntentBits, Partials } from 'discord.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { createPlanner, OfflinePlanner, PlannerPool, type Planner } from '../planner/index.js';
import { loadTokenCounter } from '../planner/token-counter.js';
import { connectForBot, FairQueue, FileBlobStore, ResultDelivery, watchConnection } from '../queue/index.js';
import { MirroredRateLimiter } from '../store/mirrored-rate-limiter.js';
import { RedisRateLimiter } from '../store/rate-limiter.js';
import { RedisRenderLedger } from '../store/render-ledger.js';
import { RedisStoryRepository } from '../store/story-repository.js';
import type { BotContext } from './bot-context.js';
import { loadCommands } from './command-loader.js';
import { GuildSettingsCache } from './content/guild-settings-cache.js';
import { deliverOutcome } from './deliver-outcome.js';
import { DraftService } from './drafts/draft-service.js';
import { ProgressBoard } from './drafts/progress-board.js';
import { QueueWatch } from './drafts/queue-watch.js';
import { onInteraction } from './listeners/interaction-create.js';
import { onMessage } from './listeners/message-create.js';
import { onReactionAdd } from './listeners/reaction-add.js';
import { onReactionRemove } from './listeners/reaction-remove.js';
import { StoryCardBoard } from './stories/story-card-board.js';
import { VoteService } from './votes/vote-service.js';

export interface RunningBot {
  client: Client;
  ctx: BotContext;
  stop(): Promise<void>;
}

export interface StartBotOptions {
  /** Extra discord.js client options (tests pass the fake's CDN). */
  rest?: { cdn?: string };
  now?: () => number;
  /** How often waiting drafts' queue positions are refreshed (default 5 s; tests go faster). */
  queueRefreshMs?: number;
  /** Entry of the offline planner's threads (tests pass a thread that misbehaves on cue). */
  plannerThreadEntry?: URL;
  /**
   * Plan on this event loop, as the bot did before PlannerPool: only for `npm run bench`, to measure
   * what the pool changes. Never in production: a long passage freezes every other interaction.
   */
  inlinePlanner?: boolean;
}

export async function startBot(config: Config, log: Logger, options: StartBotOptions = {}): Promise<RunningBot> {
  const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMessageReactions];
  // MESSAGE_CONTENT is privileged: only ask for it when the operator enabled plain-message reading.
  if (config.DISCORD_READ_MESSAGES) intents.push(GatewayIntentBits.MessageContent);
  const client = new Client({
    intents,
    partials: [Partials.Message, Partials.Reaction, Partials.User, Partials.Channel],
    rest: { api: config.DISCORD_API_BASE, ...(options.rest?.cdn ? { cdn: options.rest.cdn } : {}) },
  });
  const redis = await connectForBot(config.REDIS_URL);
  // The rate limit is checked before every acknowledgement: on a connection of its own, its answer
  // does not queue behind a burst of votes and drafts on the main one (Redis answers each connection
  // in order).
  const limiterRedis = config.RATE_LIMIT_PER_MINUTE > 0 ? await connectForBot(config.REDIS_URL) : undefined;
  const queue = new FairQueue({
    connection: redis,
    prefix: config.QUEUE_PREFIX,
    maxWaitingPerUser: config.QUEUE_MAX_WAITING_PER_USER,
    maxWaitingPerStory: config.QUEUE_MAX_WAITING_PER_STORY,
  });
  // The offline planner is pure CPU work: it runs in a thread pool so this event loop stays free.
  const offlinePlanner: Planner & { close?(): Promise<void> } = options.inlinePlanner ? new OfflinePlanner() : new PlannerPool({
    threads: config.PLANNER_THREADS,
    maxQueued: config.PLANNER_QUEUE_MAX,
    timeoutMs: config.PLANNER_TIMEOUT_MS,
    entry: options.plannerThreadEntry,
    log: log.child({ module: 'planner-pool' }),
  });
  const ctx = {
    config,
    log,
    client,
    redis,
    queue,
    stories: new RedisStoryRepository(redis, `${config.QUEUE_PREFIX}:story:`),
    ledger: new RedisRenderLedger(redis, `${config.QUEUE_PREFIX}:story:`),
    blobs: new FileBlobStore(config.DATA_DIR),
    planner: createPlanner(config, log, offlinePlanner),
    countTokens: (await loadTokenCounter(config.MODEL_DIR)).countTokens,
    keyPrefix: `${config.QUEUE_PREFIX}:discord:`,
    guildSettings: new GuildSettingsCache(redis, `${config.QUEUE_PREFIX}:discord:`),
    rateLimiter: limiterRedis
      ? new MirroredRateLimiter(
        new RedisRateLimiter(limiterRedis, `${config.QUEUE_PREFIX}:discord:`, { perMinute: config.RATE_LIMIT_PER_MINUTE, burst: config.RATE_LIMIT_BURST }),
        (error) => log.warn({ err: error }, 'rate limit update failed; the action went through'),
      )
      : undefined,
    now: options.now ?? Date.now,
  } as Partial<BotContext> as BotContext;
  ctx.drafts = new DraftService(ctx);
  ctx.votes = new VoteService(ctx);
  ctx.progress = new ProgressBoard(ctx);
  ctx.queueWatch = new QueueWatch(ctx, options.queueRefreshMs);
  ctx.cards = new StoryCardBoard(ctx);

  const commands = await loadCommands();
  client.on(Events.InteractionCreate, onInteraction(ctx, commands));
  client.on(Events.MessageCreate, onMessage(ctx));
  client.on(Events.MessageReactionAdd, onReactionAdd(ctx));
  client.on(Events.MessageReactionRemove, onReactionRemove(ctx));
  client.on(Events.Error, (error) => log.error({ err: error }, 'discord client error'));

  const delivery = new ResultDelivery({
    connection: redis,
    queue: queue.queue,
    prefix: config.QUEUE_PREFIX,
    redisUrl: config.REDIS_URL,
    log,
    deliver: (outcome) => deliverOutcome(ctx, outcome),
    onProgress: (jobId, progress) => ctx.progress.update(jobId, progress),
  });

  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await client.login(config.DISCORD_TOKEN);
    await ready;
  } catch (error) {
    await client.destroy();
    await offlinePlanner.close?.();
    await queue.close();
    redis.disconnect();
    limiterRedis?.disconnect();
    throw new Error(`Discord refused the login (${error instanceof Error ? error.message : String(error)}): check DISCORD_TOKEN.`);
  }
  log.info({ user: client.user?.tag, commands: commands.size }, 'logged in to Discord');
  const swept = await delivery.start();
  const open = await ctx.votes.rearm();
  const unwatch = watchConnection(redis, log, {
    connection: 'bot',
    // ResultDelivery catches up by itself (it hears this connection's reconnect too); votes are ours.
    onReconnect: async () => {
      const stillOpen = await ctx.votes.rearm();
      log.info({ openVotes: stillOpen }, 'votes re-synced after a Redis outage');
    },
  });
  ctx.queueWatch.start();
  log.info({ swept, openVotes: open }, 'bot ready');

  return {
    client,
    ctx,
    stop: async () => {
      unwatch();
      // Reactions already received are counted before the connections close.
      await ctx.votes.drainReactions();
      ctx.votes.stop();
      ctx.queueWatch.stop();
      ctx.progress.stop();
      await delivery.close();
      await client.destroy();
      await offlinePlanner.close?.();
      await queue.close();
      redis.disconnect();
      limiterRedis?.disconnect();
    },
  };
}
