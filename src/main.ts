/**
 * `npm start`: the Discord bot plus one render worker in a child process. Checks its configuration
 * and Redis first and gives up with one sentence when either is wrong. `--no-worker` starts the bot
 * alone (docker compose runs workers as their own services).
 */
import { createLogger } from './log.js';
import { exitWithSentence, loadConfigOrExit, messageOf } from './process/fatal.js';
import { assertRedisReachable } from './process/redis-check.js';
import { startWorkerChild } from './process/worker-child.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.DISCORD_TOKEN) {
    exitWithSentence('DISCORD_TOKEN is not set: put your bot token in .env (see README, "Discord setup").');
  }
  try {
    await assertRedisReachable(config.REDIS_URL);
  } catch (error) {
    exitWithSentence(messageOf(error));
  }

  const log = createLogger(config.LOG_LEVEL);
  const worker = process.argv.includes('--no-worker') ? null : startWorkerChild(log.child({ name: 'worker-child' }));
  // Imported late so a bad configuration is reported before discord.js loads.
  const { startBot } = await import('./discord/start-bot.js');
  let bot;
  try {
    bot = await startBot(config, log);
  } catch (error) {
    await worker?.stop();
    exitWithSentence(messageOf(error));
  }

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await Promise.allSettled([bot.stop(), worker?.stop()]);
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => exitWithSentence(`could not start: ${messageOf(error)}`));
