/**
 * Weighted-prompt parsing (REFERENCE §4): A1111, Compel and Midjourney syntax, BREAK chunks, escapes, and
 * malformed input, which must never throw and must leave a warning the bot can show the user.
 */
import { describe, expect, it } from 'vitest';
import {
  formatWeightedPrompt, parseWeightedPrompt, plainText, MAX_PROMPT_CHARS, WEIGHT_RANGE,
  type WeightedSpan,
} from '../src/core/prompt/weighted-prompt.js';
import { SeededRandom } from '../src/core/random.js';

type Row = [input: string, chunks: [string, number][][]];

/** Spans rounded to 4 decimals so 1/1.1 compares cleanly. */
const view = (chunks: WeightedSpan[][]) =>
  chunks.map((c) => c.map((s): [string, number] => [s.text, Math.round(s.weight * 1e4) / 1e4]));

const W = Math.round(1e4 / 1.1) / 1e4; // [x]

const WELL_FORMED: Row[] = [
  ['', [[]]],
  ['   ', [[]]],
  ['a photo of a cat', [[['a photo of a cat', 1]]]],
  // A1111
  ['a (cat)', [[['a ', 1], ['cat', 1.1]]]],
  ['((cat))', [[['cat', 1.21]]]],
  ['(((cat)))', [[['cat', 1.331]]]],
  ['[cat]', [[['cat', W]]]],
  ['[[cat]]', [[['cat', Math.round(1e4 / 1.21) / 1e4]]]],
  ['(cat:1.3) on a mat', [[['cat', 1.3], [' on a mat', 1]]]],
  ['( cat : 0.5 )', [[['cat', 0.5]]]],
  ['(cat:0)', [[['cat', 0]]]],
  ['(cat:-1)', [[['cat', -1]]]],
  ['((cat:1.5) dog)', [[['cat', 1.65], [' dog', 1.1]]]],
  ['(a [b] c)', [[['a ', 1.1], ['b', 1], [' c', 1.1]]]],
  ['[(cat)]', [[['cat', 1]]]],
  ['(a)(b)', [[['ab', 1.1]]]],
  ['(style: oil painting)', [[['style: oil painting', 1.1]]]],
  ['ratio (3:2:1.2)', [[['ratio ', 1], ['3:2', 1.2]]]],
  // escapes
  ['a \\(b\\) c', [[['a (b) c', 1]]]],
  ['\\[x\\] \\\\ y', [[['[x] \\ y', 1]]]],
  ['(f\\(x\\):1.2)', [[['f(x)', 1.2]]]],
  // Compel
  ['cat+ dog', [[['cat', 1.1], [' dog', 1]]]],
  ['a cat++', [[['a ', 1], ['cat', 1.21]]]],
  ['cat- dog--', [[['cat', 0.9], [' ', 1], ['dog', 0.81]]]],
  ['(red ball)1.5', [[['red ball', 1.5]]]],
  ['(red ball)+, sky', [[['red ball', 1.1], [', sky', 1]]]],
  ['(red ball)--', [[['red ball', 0.81]]]],
  ['a (cat)1.5 and a (red ball)1.5', [[['a ', 1], ['cat', 1.5], [' and a ', 1], ['red ball', 1.5]]]],
  ['((cat)+)', [[['cat', 1.21]]]],
  ['well-known t-shirt, a - b, 1-2', [[['well-known t-shirt, a - b, 1-2', 1]]]],
  ['(masterpiece)1girl', [[['masterpiece', 1.1], ['1girl', 1]]]],
  // BREAK
  ['a cat BREAK a dog', [[['a cat', 1]], [['a dog', 1]]]],
  ['a cat BREAK', [[['a cat', 1]]]],
  ['BREAKING news, a break', [[['BREAKING news, a break', 1]]]],
  ['(red BREAK blue)', [[['red', 1.1]], [['blue', 1.1]]]],
  ['a BREAK BREAK b', [[['a', 1]], [['b', 1]]]],
  // Midjourney multi-prompts
  ['a:: b::2', [[['a', 1], [' b', 2]]]],
  ['hot dog::1.5 bun::-0.5', [[['hot dog', 1.5], [' bun', -0.5]]]],
  ['ugly::-0.5', [[['ugly', -0.5]]]],
  ['hot::dog', [[['hot dog', 1]]]],
  ['(cat) and dog::2', [[['cat', 2.2], [' and dog', 2]]]],
  ['space::.5 ship', [[['space', 0.5], [' ship', 1]]]],
];

describe('parseWeightedPrompt: well-formed syntax', () => {
  it.each(WELL_FORMED)('%j', (input, chunks) => {
    const parsed = parseWeightedPrompt(input);
    expect(view(parsed.chunks)).toEqual(chunks);
    expect(parsed.warnings).toEqual([]);
  });
});

describe('parseWeightedPrompt: Midjourney parameters', () => {
  it('takes --no as the negative prompt and reads --seed, --chaos, --ar', () => {
    const p = parseWeightedPrompt('a castle --no people, cars --seed 42 --chaos 30 --ar 3:2');
    expect(view(p.chunks)).toEqual([[['a castle', 1]]]);
    expect(p.negative).toBe('people, cars');
    expect(p.options).toEqual({ seed: 42, chaos: 30, aspectRatio: { width: 3, height: 2 } });
    expect(p.warnings).toEqual([]);
  });
  it('joins several --no and leaves Compel dashes alone', () => {
    const p = parseWeightedPrompt('a cat-- --no dogs --no birds');
    expect(view(p.chunks)).toEqual([[['a ', 1], ['cat', 0.81]]]);
    expect(p.negative).toBe('dogs, birds');
  });
  it('has no options and an empty negative by default', () => {
    const p = parseWeightedPrompt('a cat');
    expect(p.options).toEqual({});
    expect(p.negative).toBe('');
  });
  it.each([
    ['a cat --seed abc', /--seed/],
    ['a cat --seed -5', /--seed/],
    ['a cat --chaos 150', /--chaos/],
    ['a cat --ar wide', /--ar/],
    ['a cat --ar 0:2', /--ar/],
    ['--v 6 a cat', /--v/],
  ])('warns on %j and keeps the prompt', (input, warning) => {
    const p = parseWeightedPrompt(input);
    expect(plainText(p)).toBe('a cat');
    expect(p.warnings.join('\n')).toMatch(warning);
  });
  it('clamps --chaos into 0..100', () => {
    expect(parseWeightedPrompt('x --chaos 150').options.chaos).toBe(100);
  });
});

const MALFORMED: [string, [string, number][][], RegExp][] = [
  ['(cat', [[['(cat', 1]]], /\(/],
  ['cat)', [[['cat)', 1]]], /\)/],
  ['[cat', [[['[cat', 1]]], /\[/],
  ['cat]', [[['cat]', 1]]], /\]/],
  ['a ((cat) dog', [[['a (', 1], ['cat', 1.1], [' dog', 1]]], /\(/],
  ['(x:abc)', [[['x:abc', 1]]], /abc/],
  ['(x:)', [[['x:', 1]]], /weight/i],
  ['(x:1.2.3)', [[['x:1.2.3', 1]]], /1\.2\.3/],
  ['(x:999)', [[['x', 3]]], /999/],
  ['(x:-7)', [[['x', -2]]], /-7/],
  ['((((((((((((((x))))))))))))))', [[['x', 3]]], /3/],
  ['a (b:1.2', [[['a (b:1.2', 1]]], /\(/],
  ['a::', [[['a', 1]]], /::/],
  ['a::2 ::', [[['a', 2]]], /::/],
  ['a:: b::99', [[['a', 1], [' b', 3]]], /99/],
];

describe('parseWeightedPrompt: malformed input never throws and warns', () => {
  it.each(MALFORMED)('%j', (input, chunks, warning) => {
    const parsed = parseWeightedPrompt(input);
    expect(view(parsed.chunks)).toEqual(chunks);
    expect(parsed.warnings.length).toBeGreaterThan(0);
    expect(parsed.warnings.join('\n')).toMatch(warning);
  });
  it(`caps input at ${MAX_PROMPT_CHARS} characters with a warning`, () => {
    const parsed = parseWeightedPrompt('cat '.repeat(1500));
    expect(plainText(parsed).length).toBeLessThanOrEqual(MAX_PROMPT_CHARS);
    expect(parsed.warnings.join('\n')).toMatch(String(MAX_PROMPT_CHARS));
  });
  it('survives random syntax soup (seeded)', () => {
    const alphabet = ['(', ')', '[', ']', ':', '::', '\\', '+', '-', '.', '1', '9', ' ', 'a', 'b', 'BREAK', '--no', '--ar', ','];
    const rng = new SeededRandom(7).take(20_000);
    let k = 0;
    for (let n = 0; n < 400; n++) {
      let s = '';
      const len = 1 + Math.floor(Math.abs(rng[k++ % rng.length]) * 10);
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(Math.abs(rng[k++ % rng.length]) * 7) % alphabet.length];
      const parsed = parseWeightedPrompt(s);
      expect(parsed.chunks.length).toBeGreaterThan(0);
      for (const span of parsed.chunks.flat()) {
        expect(span.weight).toBeGreaterThanOrEqual(WEIGHT_RANGE[0]);
        expect(span.weight).toBeLessThanOrEqual(WEIGHT_RANGE[1]);
        expect(span.text.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('formatWeightedPrompt and plainText', () => {
  it('writes the canonical A1111 form with escapes', () => {
    expect(formatWeightedPrompt([{ text: 'a cat ', weight: 1 }, { text: 'red', weight: 1.21 }])).toBe('a cat (red:1.21)');
    expect(formatWeightedPrompt([{ text: 'f(x) [y] \\', weight: 1 }])).toBe('f\\(x\\) \\[y\\] \\\\');
    expect(formatWeightedPrompt([{ text: 'x', weight: 1 / 1.1 }])).toBe('(x:0.9091)');
    expect(formatWeightedPrompt([[{ text: 'a', weight: 1 }], [{ text: 'b', weight: 2 }]])).toBe('a BREAK (b:2)');
  });
  it.each([
    'a (cat:1.3) [dog] BREAK (bird)++ on ((a tree))',
    'hot dog::1.5 bun::-0.5',
    'f\\(x\\) and (g\\[y\\]:0.8)',
    '(red ball)1.5, (style: oil)',
    'a cat, (masterpiece:1.2), best quality++ BREAK sunset::2',
    'c++ \\(x\\) BREAKING \\BREAK a\\::b \\-\\-no x',
  ])('round-trips %j (up to whitespace at span edges, which CLIP ignores)', (input) => {
    const trimmed = (chunks: WeightedSpan[][]) =>
      view(chunks).map((c) => c.map(([t, w]): [string, number] => [t.trim(), w]).filter(([t]) => t !== ''));
    const first = parseWeightedPrompt(input);
    const text = formatWeightedPrompt(first.chunks);
    const again = parseWeightedPrompt(text);
    expect(trimmed(again.chunks)).toEqual(trimmed(first.chunks));
    expect(formatWeightedPrompt(again.chunks)).toBe(text);
    expect(again.warnings).toEqual([]);
  });
  it('keeps edge whitespace outside the parens', () => {
    expect(formatWeightedPrompt(parseWeightedPrompt('a:: b::2').chunks)).toBe('a (b:2)');
  });
  it('ends a Midjourney segment at BREAK', () => {
    expect(view(parseWeightedPrompt('a cat BREAK sunset::2').chunks)).toEqual([[['a cat', 1]], [['sunset', 2]]]);
  });
  it('strips weights for captions and token counts', () => {
    expect(plainText(parseWeightedPrompt('a (cat:1.3) [dog]  BREAK bird++ --no rain'))).toBe('a cat dog bird');
    expect(plainText(parseWeightedPrompt('f\\(x\\)'))).toBe('f(x)');
  });
});
