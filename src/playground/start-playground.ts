/**
 * The local playground `npm start` runs when no DISCORD_TOKEN is set: the loopback Discord server on
 * PLAYGROUND_HOST:PLAYGROUND_PORT with one server ("Taleframe Playground", #general), the bot's slash
 * commands registered with it (so the page's composer knows them), and the web page with its API and
 * live socket on the same port. The unchanged bot then logs in with `token` against `restBase`.
 */
import { networkInterfaces } from 'node:os';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { FakeDiscord } from './discord-server/index.js';
import { PlaygroundSite } from './site/playground-site.js';
import { ensureWebBundle } from './site/web-bundle.js';

export interface RunningPlayground {
  /** The address to open in a browser on this machine. */
  url: string;
  /** Addresses other machines may use, when PLAYGROUND_HOST listens beyond loopback. */
  sharedUrls: string[];
  token: string;
  restBase: string;
  cdnBase: string;
  discord: FakeDiscord;
  stop(): Promise<void>;
}

type PlaygroundConfig = Pick<Config, 'PLAYGROUND_HOST' | 'PLAYGROUND_PORT' | 'UPLOAD_LIMIT_BYTES'>;

export async function startPlayground(config: PlaygroundConfig, log: Logger): Promise<RunningPlayground> {
  const host = config.PLAYGROUND_HOST;
  let discord: FakeDiscord;
  try {
    discord = await FakeDiscord.start({
      host, port: config.PLAYGROUND_PORT, attachmentSizeLimit: config.UPLOAD_LIMIT_BYTES,
      guilds: [{ name: 'Taleframe Playground', channels: ['general'] }],
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`port ${config.PLAYGROUND_PORT} on ${host} is in use: set PLAYGROUND_PORT to a free port.`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new Error(`PLAYGROUND_HOST ${host} is not an address of this machine: use 127.0.0.1, or 0.0.0.0 to share on your network.`);
    throw error;
  }
  try {
    const bundle = await ensureWebBundle((line) => log.info(line));
    const site = new PlaygroundSite(discord, bundle, config.UPLOAD_LIMIT_BYTES);
    discord.serveSite(site);
    // Loaded once the port is ours, so a taken port is reported before discord.js is read.
    const { loadCommands } = await import('../discord/command-loader.js');
    const { registerCommands } = await import('../discord/command-registration.js');
    const commands = await loadCommands();
    await registerCommands(commands.values(), { token: discord.token, applicationId: discord.bot.id, guildId: discord.guild().id, apiBase: discord.restBase });
    const port = Number(new URL(discord.baseUrl).port);
    if (!isLoopback(host)) {
      log.warn({ host }, 'PLAYGROUND_HOST shares the playground beyond this machine: anyone who can reach it can join under any name (names are not authentication)');
    }
    return {
      url: `http://${isWildcard(host) ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${port}`,
      sharedUrls: isWildcard(host) ? lanAddresses().map((a) => `http://${a}:${port}`) : [],
      token: discord.token,
      restBase: discord.restBase,
      cdnBase: discord.cdnBase,
      discord,
      stop: async () => {
        site.close();
        await discord.close();
      },
    };
  } catch (error) {
    await discord.close();
    throw error;
  }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function lanAddresses(): string[] {
  return Object.values(networkInterfaces()).flat()
    .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
}
