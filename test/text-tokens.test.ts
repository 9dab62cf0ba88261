/**
 * Weighted chunks -> 77-token windows: BOS + content + EOS + pad, weights per position, one window per
 * BREAK chunk and more for long chunks, split on commas / word ends and never truncated. Runs on a tiny
 * hand-made vocabulary and, when ../shared/clip-tokenizer is present, on the real one (never copied here).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseWeightedPrompt } from '../src/core/prompt/weighted-prompt.js';
import { SPLIT_BACKTRACK, tokenizePlain, tokenizeWeighted, type TokenWindow } from '../src/diffusion/text-tokens.js';
import { ClipTokenizer } from '../src/tokenizer/clip-tokenizer.js';
import { TINY_MERGES, tinyVocab } from './tiny-clip-vocab.js';

const repoRoot = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const realDir = path.resolve(repoRoot, '../shared/clip-tokenizer');
const hasReal = existsSync(path.join(realDir, 'vocab.json')) && existsSync(path.join(realDir, 'merges.txt'));

const vocab = tinyVocab();
const tok = new ClipTokenizer({ vocab, merges: TINY_MERGES });
const content = (w: TokenWindow) => Array.from(w.ids.subarray(1, 1 + w.tokenCount));

function expectWellFormed(t: ClipTokenizer, w: TokenWindow): void {
  expect(w.ids.length).toBe(77);
  expect(w.weights.length).toBe(77);
  expect(w.tokenCount).toBeLessThanOrEqual(75);
  expect(w.ids[0]).toBe(t.bosId);
  expect(w.ids[1 + w.tokenCount]).toBe(t.eosId);
  for (let p = 2 + w.tokenCount; p < 77; p++) expect(w.ids[p]).toBe(t.padId);
  expect(w.weights[0]).toBe(1);
  for (let p = 1 + w.tokenCount; p < 77; p++) expect(w.weights[p]).toBe(1);
}

describe('tokenizeWeighted on a tiny vocabulary', () => {
  it('lays out BOS + ids + EOS + pad with span weights', () => {
    const [w, ...more] = tokenizeWeighted(tok, parseWeightedPrompt('a (cat:1.5) [dog]').chunks);
    expect(more).toEqual([]);
    expectWellFormed(tok, w);
    expect(content(w)).toEqual([vocab['a</w>'], vocab['cat</w>'], vocab['dog</w>']]);
    expect(Array.from(w.weights.subarray(0, 5))).toEqual([1, 1, 1.5, Math.fround(0.909091), 1]); // weights are rounded to 6 decimals
  });
  it('gives the empty prompt one window BOS, EOS, pad', () => {
    for (const chunks of [[[]], []]) {
      const windows = tokenizeWeighted(tok, chunks);
      expect(windows).toHaveLength(1);
      expectWellFormed(tok, windows[0]);
      expect(windows[0].tokenCount).toBe(0);
    }
  });
  it('starts a new window at each BREAK chunk', () => {
    const windows = tokenizeWeighted(tok, parseWeightedPrompt('cat BREAK dog++').chunks);
    expect(windows.map(content)).toEqual([[vocab['cat</w>']], [vocab['dog</w>']]]);
    expect(windows[1].weights[1]).toBeCloseTo(1.21, 6);
  });
  it('continues a long chunk in further windows without losing a token', () => {
    const windows = tokenizePlain(tok, 'cat '.repeat(200));
    expect(windows.map((w) => w.tokenCount)).toEqual([75, 75, 50]);
    windows.forEach((w) => expectWellFormed(tok, w));
  });
  it('moves the tokens after a late comma to the next window', () => {
    const text = `${'dog '.repeat(70)}, ${'cat '.repeat(10)}`;
    const windows = tokenizePlain(tok, text);
    expect(windows.map((w) => w.tokenCount)).toEqual([71, 10]);
    expect(content(windows[0]).at(-1)).toBe(vocab[',</w>']);
  });
  it(`ignores a comma more than ${SPLIT_BACKTRACK} tokens back`, () => {
    const windows = tokenizePlain(tok, `${'dog '.repeat(40)}, ${'cat '.repeat(50)}`);
    expect(windows.map((w) => w.tokenCount)).toEqual([75, 16]);
  });
  it('never cuts a word in two', () => {
    // "cats" is ca + t + s</w>: the window ends after the last whole word instead.
    const windows = tokenizePlain(tok, `${'dog '.repeat(74)}cats`);
    expect(windows.map((w) => w.tokenCount)).toEqual([74, 3]);
    expect(windows[1].ids[1]).toBe(vocab.ca);
  });
  it('keeps weights with their tokens across a split', () => {
    const chunks = [[{ text: 'dog '.repeat(74), weight: 1 }, { text: 'cat cat', weight: 2 }]];
    const windows = tokenizeWeighted(tok, chunks);
    expect(windows.map((w) => w.tokenCount)).toEqual([75, 1]);
    expect([windows[0].weights[75], windows[1].weights[1]]).toEqual([2, 2]);
  });
  it('pads with the tokenizer pad id (SD 2.x: "!")', () => {
    const sd2 = new ClipTokenizer({ vocab, merges: TINY_MERGES, padToken: '!' });
    const [w] = tokenizePlain(sd2, 'cat');
    expect(Array.from(w.ids.subarray(0, 4))).toEqual([sd2.bosId, vocab['cat</w>'], sd2.eosId, vocab['!']]);
  });
});

describe.skipIf(!hasReal)(hasReal ? 'tokenizeWeighted on the real CLIP vocabulary' : `tokenizeWeighted on the real CLIP vocabulary: skipped because ${realDir} is absent (shared data, never copied into the repo)`, () => {
  it('matches the README vector, padded with <|endoftext|> to 77', async () => {
    const real = await ClipTokenizer.fromFolder(realDir);
    const [w] = tokenizePlain(real, 'a photo of a cat');
    const expected = new Int32Array(77).fill(49407);
    expected.set([49406, 320, 1125, 539, 320, 2368, 49407]);
    expect(w.ids).toEqual(expected);
  });
  it('splits a long weighted prompt at commas and keeps every token', async () => {
    const real = await ClipTokenizer.fromFolder(realDir);
    const prompt = Array.from({ length: 40 }, (_, i) => `(red castle:1.2) number ${i}`).join(', ');
    const parsed = parseWeightedPrompt(prompt);
    const windows = tokenizeWeighted(real, parsed.chunks);
    windows.forEach((w) => expectWellFormed(real, w));
    const all = windows.flatMap(content);
    expect(all).toEqual(parsed.chunks[0].flatMap((s) => real.encode(s.text)));
    for (const w of windows.slice(0, -1)) expect(real.tokenText(content(w).at(-1)!)).toBe(',</w>');
    expect(windows.length).toBeGreaterThan(2);
  });
});
