/**
 * The shape of a command module under commands/: a `data` builder (slash or context-menu) and an
 * `execute` that acknowledges, then delegates to src/. The loader checks every file against this zod
 * schema instead of trusting a hand-kept list.
 */
import type {
  ChatInputCommandInteraction,
  MessageContextMenuCommandInteraction,
  RESTPostAPIApplicationCommandsJSONBody,
} from 'discord.js';
import { z } from 'zod';
import type { BotContext } from './bot-context.js';

const fn = z.custom<(...args: unknown[]) => unknown>((v) => typeof v === 'function', 'must be a function');

export const commandModuleSchema = z.object({
  data: z.object({ name: z.string().regex(/^[\w -]{1,32}$/u), toJSON: fn }).loose(),
  execute: fn,
});

export interface SlashCommand {
  data: { name: string; toJSON(): RESTPostAPIApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void>;
}

export interface MessageMenuCommand {
  data: { name: string; toJSON(): RESTPostAPIApplicationCommandsJSONBody };
  execute(interaction: MessageContextMenuCommandInteraction, ctx: BotContext): Promise<void>;
}

export type BotCommand = SlashCommand | MessageMenuCommand;

/** Type guard: `value` has the shape of a command module. */
export function isBotCommand(value: unknown): value is BotCommand {
  return commandModuleSchema.safeParse(value).success;
}
