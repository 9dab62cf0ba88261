/**
 * The playground composer's reading of typed slash commands, against command definitions shaped like
 * the bot's: name:value options, values that run until the next option, subcommands, choices, number
 * bounds, required options, and what the hints offer while typing.
 */
import { describe, expect, it } from 'vitest';
import type { CommandView } from '../src/playground/site/view-types.js';
import { commandContext, parseSlash } from '../src/playground/web/src/slash-parse.js';

const commands: CommandView[] = [
  {
    name: 'draw', description: 'Draw one draft', type: 1, options: [
      { type: 3, name: 'prompt', description: 'What to draw', required: true, max_length: 1000 },
      { type: 3, name: 'negative', description: 'What to avoid' },
      { type: 4, name: 'steps', description: 'Steps', min_value: 1, max_value: 100 },
      { type: 3, name: 'quality', description: 'Quality', choices: [{ name: 'fast', value: 'fast' }, { name: 'best', value: 'best' }] },
    ],
  },
  {
    name: 'story', description: 'Stories', type: 1, options: [
      { type: 1, name: 'new', description: 'Start one', options: [{ type: 3, name: 'title', description: 'Title', required: true }, { type: 3, name: 'style', description: 'Style', required: true }] },
      { type: 1, name: 'end', description: 'End it' },
    ],
  },
  { name: 'storyboard', description: 'Export', type: 1 },
  { name: 'stylize', description: 'Restyle a clip', type: 1, options: [{ type: 11, name: 'video', description: 'Clip', required: true }, { type: 3, name: 'prompt', description: 'Style', required: true }] },
  { name: 'Refine draft', description: '', type: 3 },
];

describe('typed slash commands', () => {
  it('reads name:value options, a value running until the next option name', () => {
    const parsed = parseSlash('/draw prompt:a red fox in the snow, (scarf:1.3) steps:4 quality:Best', commands);
    expect(parsed).toMatchObject({ ok: true, value: { subcommand: undefined, options: { prompt: 'a red fox in the snow, (scarf:1.3)', steps: 4, quality: 'best' } } });
  });

  it('reads subcommands and commands without options', () => {
    expect(parseSlash('/story new title:The Fox style:watercolour, storybook', commands)).toMatchObject({
      ok: true, value: { subcommand: 'new', options: { title: 'The Fox', style: 'watercolour, storybook' } },
    });
    expect(parseSlash('/storyboard', commands)).toMatchObject({ ok: true, value: { options: {} } });
    // Attachments are picked as files, so a command needing only one parses without it.
    expect(parseSlash('/stylize prompt:ink', commands)).toMatchObject({ ok: true, value: { options: { prompt: 'ink' } } });
  });

  it('says what is wrong in one sentence', () => {
    const error = (text: string) => {
      const parsed = parseSlash(text, commands);
      return parsed.ok ? 'parsed' : parsed.error;
    };
    expect(error('/draw steps:4')).toBe('/draw needs prompt:.');
    expect(error('/draw a red fox')).toBe('Write the options as name:value like prompt:text; "a red fox" is not one.');
    expect(error('/draw prompt:fox steps:0')).toBe('steps: must be at least 1.');
    expect(error('/draw prompt:fox steps:four')).toBe('steps: must be a whole number.');
    expect(error('/draw prompt:fox quality:ok')).toBe('quality: must be one of fast, best.');
    expect(error('/paint prompt:fox')).toBe('There is no /paint command; type / to see the list.');
    expect(error('/story title:x')).toBe('/story needs one of: new, end.');
    expect(error('/Refine draft')).toMatch(/no \/refine command/);
  });

  it('hints commands, subcommands and the option being typed', () => {
    expect(commandContext('/sto', commands).nameCandidates.map((c) => c.name)).toEqual(['story', 'storyboard']);
    expect(commandContext('/story e', commands).nameCandidates.map((c) => c.name)).toEqual(['end']);
    const typing = commandContext('/draw prompt:a fox quality:f', commands);
    expect(typing.current?.name).toBe('quality');
    expect(typing.written).toEqual(['prompt', 'quality']);
    expect(commandContext('/draw prompt:a fox ', commands).current).toBeUndefined();
    expect(commandContext('/stylize ', commands).definitions.map((d) => d.name)).toEqual(['video', 'prompt']);
  });
});
