/**
 * Starts the Discord side of Taleframe: logs the discord.js client in against DISCORD_API_BASE and
 * wires the story loop to it. Returns a handle that stops everything it started.
 */
import { Client, GatewayIntentBits, Partials } from 'discord.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';

export interface RunningBot {
  client: Client;
  stop(): Promise<void>;
}

export async function startBot(config: Config, log: Logger): Promise<RunningBot> {
  const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMessageReactions];
  // MESSAGE_CONTENT is privileged: only ask for it when the operator enabled plain-message reading.
  if (config.DISCORD_READ_MESSAGES) intents.push(GatewayIntentBits.MessageContent);
  const client = new Client({
    intents,
    partials: [Partials.Message, Partials.Reaction, Partials.User, Partials.Channel],
    rest: { api: config.DISCORD_API_BASE },
  });
  client.once('clientReady', (ready) => log.info({ user: ready.user.tag }, 'logged in to Discord'));
  try {
    await client.login(config.DISCORD_TOKEN);
  } catch (error) {
    client.destroy();
    throw new Error(`Discord refused the login (${error instanceof Error ? error.message : String(error)}): check DISCORD_TOKEN.`);
  }
  return {
    client,
    stop: async () => {
      await client.destroy();
    },
  };
}
