/**
 * `npm start`. With DISCORD_TOKEN: the Discord bot plus one render worker in a child process. Without
 * it: the local playground - a Discord-compatible server with a web page on PLAYGROUND_HOST:PLAYGROUND_PORT,
 * the same bot logged into it, and one render worker. Redis is REDIS_URL, else the one at 127.0.0.1:6379,
 * else an embedded redis-server child. Configuration and start-up problems end the process with one
 * sentence. `--no-worker` starts the bot alone (docker compose runs workers as their own services).
 */
import type { Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { exitWithSentence, loadConfigOrExit, messageOf } from './process/fatal.js';
import { chooseRedis } from './process/redis-choice.js';
import { startWorkerChild, type WorkerChild } from './process/worker-child.js';

type Stop = () => Promise<unknown>;

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.LOG_LEVEL);
  const stops: Stop[] = [];
  const giveUp = async (error: unknown): Promise<never> => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    exitWithSentence(messageOf(error));
  };

  const redis = await chooseRedis(config).catch(giveUp);
  stops.push(redis.stop);
  if (redis.embedded) log.info({ redis: redis.url, dir: redis.embedded.dataDir }, 'started an embedded redis-server (REDIS_URL is not set and nothing answered on 127.0.0.1:6379)');
  let botConfig: Config = { ...config, REDIS_URL: redis.url };
  let playgroundUrls: string[] = [];
  let cdn: string | undefined;
  if (config.DISCORD_TOKEN) {
    log.info('DISCORD_TOKEN is set: running on Discord (unset it to try the local playground in a browser)');
  } else {
    log.info('DISCORD_TOKEN is not set: running the local playground (set DISCORD_TOKEN to run on Discord; see README, "Discord setup")');
    // Imported late so a bad configuration is reported before discord.js loads.
    const { startPlayground } = await import('./playground/start-playground.js');
    const playground = await startPlayground(config, log).catch(giveUp);
    stops.push(playground.stop);
    // The playground serves attachments itself, so its host joins the attachment allow-list.
    const playgroundHost = new URL(playground.restBase).hostname;
    botConfig = { ...botConfig, DISCORD_TOKEN: playground.token, DISCORD_API_BASE: playground.restBase, ATTACHMENT_HOSTS: [...botConfig.ATTACHMENT_HOSTS, playgroundHost] };
    cdn = playground.cdnBase;
    playgroundUrls = [playground.url, ...playground.sharedUrls];
  }

  const worker: WorkerChild | null = process.argv.includes('--no-worker')
    ? null
    : startWorkerChild(log.child({ name: 'worker-child' }), { ...process.env, REDIS_URL: redis.url });
  if (worker) stops.push(() => worker.stop());
  const { startBot } = await import('./discord/start-bot.js');
  const bot = await startBot(botConfig, log, cdn ? { rest: { cdn } } : {}).catch(giveUp);
  stops.push(() => bot.stop());
  if (playgroundUrls.length > 0) announce(log, playgroundUrls);

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    // The bot first (no new work), then the worker, the playground server and Redis last.
    for (const stop of stops.reverse()) await stop().catch((error) => log.warn({ err: error }, 'error while stopping'));
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/** The one line a newcomer needs: where to open the playground (and, when shared, the network addresses). */
function announce(log: Logger, urls: string[]): void {
  log.info({ url: urls[0] }, 'playground ready');
  const shared = urls.length > 1 ? ` (on your network: ${urls.slice(1).join(', ')})` : '';
  process.stdout.write(`\nTaleframe playground: open ${urls[0]} in your browser${shared}\n\n`);
}

main().catch((error) => exitWithSentence(`could not start: ${messageOf(error)}`));
