/**
 * Finds the command modules under commands/ (one command per file), imports them and checks each
 * one's shape. A file that does not export a command (as `default` or `command`) is a start-up error
 * naming the file, so a broken command never reaches Discord half-registered.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { commandModuleSchema, isBotCommand, type BotCommand } from './command-shape.js';

export const COMMANDS_DIR = fileURLToPath(new URL('../../commands/', import.meta.url));

/** Loads every command in `dir`, keyed by name. Throws on a malformed file or a duplicate name. */
export async function loadCommands(dir = COMMANDS_DIR): Promise<Map<string, BotCommand>> {
  const files = (await readdir(dir)).filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts') && !f.endsWith('.test.ts')).sort();
  const commands = new Map<string, BotCommand>();
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as Record<string, unknown>;
    const candidate = mod.default ?? mod.command;
    if (!isBotCommand(candidate)) {
      const issue = commandModuleSchema.safeParse(candidate).error?.issues[0];
      throw new Error(`commands/${file} does not export a command (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'no default export'}).`);
    }
    if (commands.has(candidate.data.name)) throw new Error(`commands/${file} repeats the command name "${candidate.data.name}".`);
    commands.set(candidate.data.name, candidate);
  }
  return commands;
}
