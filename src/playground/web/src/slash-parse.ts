/**
 * Reading a slash command typed the way Discord's desktop client accepts it: `/draw prompt:a red fox
 * in the snow steps:4`, `/story new title:The Fox style:watercolour`. Options are written name:value; a
 * value runs until the next known option name. Values are checked against the registered definition
 * (type, required, choices, bounds) so the member hears what is wrong before anything is sent. Pure:
 * no DOM, so the tests can run it directly.
 */
import type { CommandOptionView, CommandView } from '../../site/view-types.js';

export type OptionValue = string | number | boolean;

export interface ParsedCommand {
  command: CommandView;
  /** `"new"` or `"group sub"`. */
  subcommand?: string;
  /** The options that take typed values (attachments are picked as files, not typed). */
  options: Record<string, OptionValue>;
  /** The leaf option definitions (those of the subcommand, if any). */
  definitions: CommandOptionView[];
}

export type ParseResult = { ok: true; value: ParsedCommand } | { ok: false; error: string; partial?: Partial<ParsedCommand> };

const SUBCOMMAND = 1;
const GROUP = 2;

/** Where the typing is: the command, its subcommand, and the option being written (for hints). */
export interface CommandContext {
  command?: CommandView;
  subcommand?: string;
  definitions: CommandOptionView[];
  /** Options already written, by name. */
  written: string[];
  /** The option whose value is being typed, if any. */
  current?: CommandOptionView;
  /** The word being typed where a command or subcommand name goes. */
  namePrefix?: string;
  /** Candidates for that word: commands, or the command's subcommands. */
  nameCandidates: { name: string; description: string }[];
}

/** Parses `text` (starting with `/`) against the registered slash commands. */
export function parseSlash(text: string, commands: CommandView[]): ParseResult {
  const walk = walkHead(text, commands);
  if ('error' in walk) return { ok: false, error: walk.error };
  const { command, subcommand, definitions, rest } = walk;
  const pieces = splitOptions(rest, definitions);
  if (pieces.leading.trim()) {
    const first = definitions.find((d) => d.required && d.type !== 11) ?? definitions[0];
    const hint = first ? ` like ${first.name}:${first.type === 3 ? 'text' : 'value'}` : '';
    return { ok: false, error: `Write the options as name:value${hint}; "${pieces.leading.trim().slice(0, 40)}" is not one.` };
  }
  const options: Record<string, OptionValue> = {};
  for (const { definition, raw } of pieces.values) {
    const value = coerce(definition, raw.trim());
    if (typeof value === 'object') return { ok: false, error: value.error };
    options[definition.name] = value;
  }
  const missing = definitions.filter((d) => d.required && d.type !== 11 && !(d.name in options));
  if (missing.length > 0) return { ok: false, error: `/${command.name}${subcommand ? ` ${subcommand}` : ''} needs ${missing.map((d) => `${d.name}:`).join(', ')}.` };
  return { ok: true, value: { command, subcommand, options, definitions } };
}

/** What the member is typing now, for the composer's hints. */
export function commandContext(text: string, commands: CommandView[]): CommandContext {
  const slash = commands.filter((c) => c.type === 1);
  const body = text.replace(/^\//, '');
  const words = body.split(/\s+/);
  const empty: CommandContext = { definitions: [], written: [], nameCandidates: [] };
  if (words.length === 1) {
    const prefix = words[0]!.toLowerCase();
    return { ...empty, namePrefix: prefix, nameCandidates: slash.filter((c) => c.name.startsWith(prefix)) };
  }
  const command = slash.find((c) => c.name === words[0]!.toLowerCase());
  if (!command) return empty;
  const subs = (command.options ?? []).filter((o) => o.type === SUBCOMMAND || o.type === GROUP);
  if (subs.length > 0 && words.length === 2) {
    const prefix = words[1]!.toLowerCase();
    return { ...empty, command, namePrefix: prefix, nameCandidates: subs.filter((o) => o.name.startsWith(prefix)) };
  }
  const walk = walkHead(text, commands);
  if ('error' in walk) return { ...empty, command };
  const pieces = splitOptions(walk.rest, walk.definitions);
  const last = pieces.values.at(-1);
  // The value being typed is the last one, unless the text ends with a space after it.
  const current = last && !/\s$/.test(text) ? last.definition : undefined;
  return {
    command: walk.command, subcommand: walk.subcommand, definitions: walk.definitions,
    written: pieces.values.map((v) => v.definition.name), current, nameCandidates: [],
  };
}

function walkHead(text: string, commands: CommandView[]):
  { command: CommandView; subcommand?: string; definitions: CommandOptionView[]; rest: string } | { error: string } {
  const match = /^\/(\S+)\s*([\s\S]*)$/.exec(text.trim());
  if (!match) return { error: 'Type a command after the slash.' };
  const name = match[1]!.toLowerCase();
  const command = commands.find((c) => c.type === 1 && c.name === name);
  if (!command) return { error: `There is no /${name} command; type / to see the list.` };
  let rest = match[2]!;
  let definitions = command.options ?? [];
  const path: string[] = [];
  while (definitions.some((o) => o.type === SUBCOMMAND || o.type === GROUP)) {
    const word = /^(\S+)\s*/.exec(rest);
    const sub = definitions.find((o) => (o.type === SUBCOMMAND || o.type === GROUP) && o.name === word?.[1]?.toLowerCase());
    if (!sub) {
      const names = definitions.map((o) => o.name).join(', ');
      return { error: `/${command.name} needs one of: ${names}.` };
    }
    path.push(sub.name);
    rest = rest.slice(word![0].length);
    definitions = sub.options ?? [];
  }
  return { command, subcommand: path.length > 0 ? path.join(' ') : undefined, definitions, rest };
}

/** Splits `rest` at ` name:` for the known option names (attachments included, so they can be named too). */
function splitOptions(rest: string, definitions: CommandOptionView[]): { leading: string; values: { definition: CommandOptionView; raw: string }[] } {
  if (definitions.length === 0) return { leading: rest, values: [] };
  const names = definitions.map((d) => d.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const marker = new RegExp(`(^|\\s)(${names}):`, 'gi');
  const hits = [...rest.matchAll(marker)];
  const values = hits.map((hit, i) => {
    const start = hit.index! + hit[0].length;
    const end = i + 1 < hits.length ? hits[i + 1]!.index! : rest.length;
    const definition = definitions.find((d) => d.name.toLowerCase() === hit[2]!.toLowerCase())!;
    return { definition, raw: rest.slice(start, end) };
  });
  return { leading: hits.length > 0 ? rest.slice(0, hits[0]!.index!) : rest, values };
}

function coerce(definition: CommandOptionView, raw: string): OptionValue | { error: string } {
  const name = definition.name;
  if (raw === '') return { error: `${name}: is empty.` };
  if (definition.choices && definition.choices.length > 0) {
    const choice = definition.choices.find((c) => c.name.toLowerCase() === raw.toLowerCase() || String(c.value).toLowerCase() === raw.toLowerCase());
    if (!choice) return { error: `${name}: must be one of ${definition.choices.map((c) => c.name).join(', ')}.` };
    return choice.value;
  }
  switch (definition.type) {
    case 4:
    case 10: {
      const number = Number(raw);
      if (!Number.isFinite(number) || (definition.type === 4 && !/^-?\d+$/.test(raw))) return { error: `${name}: must be ${definition.type === 4 ? 'a whole number' : 'a number'}.` };
      if (definition.min_value !== undefined && number < definition.min_value) return { error: `${name}: must be at least ${definition.min_value}.` };
      if (definition.max_value !== undefined && number > definition.max_value) return { error: `${name}: must be at most ${definition.max_value}.` };
      return number;
    }
    case 5:
      if (/^(true|yes)$/i.test(raw)) return true;
      if (/^(false|no)$/i.test(raw)) return false;
      return { error: `${name}: must be true or false.` };
    case 11:
      return { error: `${name}: attach a file with the button under the message box.` };
    default:
      if (definition.min_length !== undefined && raw.length < definition.min_length) return { error: `${name}: needs at least ${definition.min_length} characters.` };
      if (definition.max_length !== undefined && raw.length > definition.max_length) return { error: `${name}: may have at most ${definition.max_length} characters.` };
      return raw;
  }
}
