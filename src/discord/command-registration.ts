/**
 * Registers the loaded commands with Discord in one bulk PUT: to one guild when a guild id is given
 * (instant, for development), else globally (may take up to an hour to show). Used by the
 * commands:deploy script and by tests; never on every start.
 */
import { REST, Routes } from 'discord.js';
import type { BotCommand } from './command-shape.js';

export interface RegistrationTarget {
  token: string;
  applicationId: string;
  guildId?: string;
  apiBase?: string;
}

/** PUTs every command's JSON; resolves with the number registered. */
export async function registerCommands(commands: Iterable<BotCommand>, target: RegistrationTarget): Promise<number> {
  const body = [...commands].map((c) => c.data.toJSON());
  const rest = new REST({ api: target.apiBase ?? 'https://discord.com/api' }).setToken(target.token);
  const route = target.guildId
    ? Routes.applicationGuildCommands(target.applicationId, target.guildId)
    : Routes.applicationCommands(target.applicationId);
  await rest.put(route, { body });
  return body.length;
}
