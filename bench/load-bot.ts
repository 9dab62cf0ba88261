/**
 * The bot of the load run (bench/load-scenario.ts) in a process of its own, as in production: the
 * fake Discord and the load driver live in the parent, so this event loop carries only the bot's
 * work and its lag is the bot's own. Reads its configuration from the environment, watches its
 * event-loop lag from start, and answers the parent over IPC: "reset" (start a fresh lag window),
 * "figures" (the lag figures), "stop". LOAD_CDN is the fake's CDN; LOAD_INLINE_PLANNER=1 plans on
 * the event loop as before the planner pool. Not part of the bot itself.
 */
import { loadConfig } from '../src/config.js';
import { startBot } from '../src/discord/start-bot.js';
import { createLogger } from '../src/log.js';
import { watchEventLoopLag } from '../src/process/event-loop-lag.js';

export type LoadBotRequest = 'reset' | 'figures' | 'stop';

const config = loadConfig();
const bot = await startBot(config, createLogger(config.LOG_LEVEL, 'bot'), {
  rest: { cdn: process.env.LOAD_CDN },
  inlinePlanner: process.env.LOAD_INLINE_PLANNER === '1',
});
const lag = watchEventLoopLag();

process.on('message', (request: LoadBotRequest) => {
  if (request === 'reset') {
    lag.reset();
    process.send!({ reset: true });
  } else if (request === 'figures') {
    process.send!({ figures: lag.figures() });
  } else if (request === 'stop') {
    lag.stop();
    void bot.stop().finally(() => process.exit(0));
  }
});
process.send!({ ready: true });
