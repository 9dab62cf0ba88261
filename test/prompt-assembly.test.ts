import { describe, expect, it } from 'vitest';
import { assembleScenePrompt, splitPhrases, type PromptAssemblyInput } from '../src/core/prompt/prompt-assembly.js';

// A stand-in tokenizer: one token per word or number, weight syntax ignored. Good enough to test
// the fitting rules; the real CLIP count is injected the same way.
const countWords = (text: string) => text.split(/[^\p{L}\p{N}]+/u).filter(Boolean).length;
const words = (n: number, stem = 'detail') => Array.from({ length: n }, (_, i) => `${stem}${i}`).join(' ');

const base: PromptAssemblyInput = {
  scenePrompt: '(fox:1.2), leaping at (grapes:1.1), hot afternoon',
  characters: ['Fox'],
  cast: { Fox: { description: 'a lean red fox with a white-tipped tail', addedBy: 'u1' } },
  style: { style: 'watercolour storybook illustration, soft light', negative: 'blurry, text, watermark' },
  sceneNegative: 'extra limbs, Text',
};

describe('prompt assembly', () => {
  it('splits phrases at top-level commas only', () => {
    expect(splitPhrases('(a, b:1.2), c , [d, e], f\\, g')).toEqual(['(a, b:1.2)', 'c', '[d, e]', 'f\\, g']);
  });

  it('joins scene, cast and style in one chunk when it fits', () => {
    const out = assembleScenePrompt(base, countWords);
    expect(out.prompt).toBe(
      '(fox:1.2), leaping at (grapes:1.1), hot afternoon, a lean red fox with a white-tipped tail, watercolour storybook illustration, soft light',
    );
    expect(out.chunks).toBe(1);
    expect(out.notes).toEqual([]);
    expect(out.negativePrompt).toBe('blurry, text, watermark, extra limbs');
  });

  it('says each character once: no "Name, name" and no second copy of a description the scene already has', () => {
    const cast = {
      'White Rabbit': { description: 'a white rabbit with pink eyes', addedBy: 'planner' },
      Alice: { description: 'a girl in a blue dress', addedBy: 'planner' },
    };
    const out = assembleScenePrompt(
      { ...base, scenePrompt: '(a white rabbit with pink eyes:1.2) running, in a field by day', characters: ['White Rabbit', 'Alice'], cast },
      countWords,
    );
    expect(out.prompt).toBe('(a white rabbit with pink eyes:1.2) running, in a field by day, Alice, a girl in a blue dress, watercolour storybook illustration, soft light');
    expect(out.prompt.match(/rabbit/gi)).toHaveLength(1);
  });

  it('shortens the scene detail first, least weighted and latest phrases first', () => {
    const scene = `(fox:1.2), leaping at (grapes:1.1), ${words(20, 'a')}, ${words(20, 'b')}, (${words(15, 'c')}:1.3)`;
    const out = assembleScenePrompt({ ...base, scenePrompt: scene }, countWords);
    expect(out.chunks).toBe(1);
    expect(countWords(out.prompt)).toBeLessThanOrEqual(75);
    expect(out.prompt).toContain('(fox:1.2)');
    expect(out.prompt).toContain('c0'); // the 1.3 phrase survives
    expect(out.prompt).not.toContain('b0'); // the later unweighted phrase goes first
    expect(out.prompt).toContain('a lean red fox');
    expect(out.prompt).toContain('watercolour storybook illustration');
    expect(out.notes.join(' ')).toMatch(/dropped "b0/);
  });

  it('moves cast and style after BREAK rather than dropping them', () => {
    const cast = {
      Tom: { description: words(30, 't'), addedBy: 'u1' },
      Ben: { description: words(30, 'n'), addedBy: 'u1' },
    };
    const out = assembleScenePrompt(
      { ...base, scenePrompt: `(Tom:1.2) and (Ben:1.2) at the fence, ${words(20, 's')}`, characters: ['Tom', 'Ben'], cast },
      countWords,
    );
    const chunks = out.prompt.split(' BREAK ');
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    for (const chunk of chunks) expect(countWords(chunk)).toBeLessThanOrEqual(75);
    expect(chunks[0]).toContain('(Tom:1.2) and (Ben:1.2) at the fence');
    expect(chunks[0]).toContain('s19'); // the scene kept its detail once it had its own chunk
    for (const needle of ['t29', 'n29', 'watercolour storybook illustration']) expect(out.prompt).toContain(needle);
    expect(out.notes.join(' ')).toMatch(/BREAK/);
  });

  it('keeps a style longer than a chunk whole and says so', () => {
    const out = assembleScenePrompt({ ...base, style: { style: words(90, 'w'), negative: '' } }, countWords);
    expect(out.prompt).toContain('w0');
    expect(out.prompt).toContain('w89');
    expect(out.prompt.split(' BREAK ')[0]).toContain('(fox:1.2)');
    expect(out.notes.join(' ')).toMatch(/longer than 75 tokens/);
  });

  it('names a character missing from the sheet instead of dropping them', () => {
    const out = assembleScenePrompt({ ...base, scenePrompt: 'a vineyard at noon', characters: ['Crow'] }, countWords);
    expect(out.prompt).toContain('Crow');
  });

  it('neutralises BREAK and AND inside descriptions and style', () => {
    const out = assembleScenePrompt(
      { ...base, cast: { Fox: { description: 'red BREAK fox AND crow', addedBy: 'u1' } }, style: { style: 'ink AND wash', negative: '' } },
      countWords,
    );
    expect(out.prompt).not.toMatch(/\bBREAK\b|\bAND\b/);
    expect(out.chunks).toBe(1);
    expect(out.notes.join(' ')).toMatch(/lower-cased/);
  });

  it('lays a long negative prompt out in chunks', () => {
    const negative = Array.from({ length: 40 }, (_, i) => `bad${i} thing`).join(', ');
    const out = assembleScenePrompt({ ...base, style: { ...base.style, negative } }, countWords);
    const chunks = out.negativePrompt.split(' BREAK ');
    expect(chunks.length).toBe(2);
    for (const chunk of chunks) expect(countWords(chunk)).toBeLessThanOrEqual(75);
  });
});
