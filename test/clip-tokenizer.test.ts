/**
 * CLIP tokenizer: id-for-id agreement with the reference vectors in ../shared/clip-tokenizer/README.md
 * (real vocabulary, never copied into the repo: those tests skip when the folder is absent), plus folder
 * loading (CRLF merges, pad tokens of SD 1.x and SD 2.x) and BPE on a tiny hand-made vocabulary.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../src/tokenizer/clip-tokenizer.js';
import { htmlUnescape } from '../src/tokenizer/html-unescape.js';
import { cleanPrompt } from '../src/tokenizer/text-cleaning.js';
import { measureTokenizerThroughput } from '../src/tokenizer/tokenizer-bench.js';
import { TINY_MERGES, tinyVocab } from './tiny-clip-vocab.js';

const repoRoot = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const realDir = path.resolve(repoRoot, '../shared/clip-tokenizer');
const hasReal = existsSync(path.join(realDir, 'vocab.json')) && existsSync(path.join(realDir, 'merges.txt'));

/** The README's vectors (BOS + ids + EOS). */
const VECTORS: [string, number[]][] = [
  ['An astronaut riding a horse', [49406, 550, 18376, 6765, 320, 4558, 49407]],
  ['How are you doing?', [49406, 829, 631, 592, 1960, 286, 49407]],
  ['The company was founded in 2016.', [49406, 518, 2634, 739, 12240, 530, 273, 271, 272, 277, 269, 49407]],
  ['I bought an apple for $1.00 at the store.',
    [49406, 328, 4142, 550, 3055, 556, 259, 272, 269, 271, 271, 536, 518, 2183, 269, 49407]],
  ['', [49406, 49407]],
  ['a photo of a cat', [49406, 320, 1125, 539, 320, 2368, 49407]],
  ['naïve café — 東京 🚀 don\'t', [49406, 1097, 35689, 563, 15304, 2005, 48338, 21078, 361, 13542, 847, 713, 49407]],
];

describe.skipIf(!hasReal)(hasReal ? 'real CLIP vocabulary' : `real CLIP vocabulary: skipped because ${realDir} holds no vocab.json/merges.txt (shared data, never copied into the repo)`, () => {
  let tok: ClipTokenizer;
  it('loads the shared folder with SD 1.x defaults', async () => {
    tok = await ClipTokenizer.fromFolder(realDir);
    expect([tok.bosId, tok.eosId, tok.padId, tok.maxLength]).toEqual([49406, 49407, 49407, 77]);
  });
  it.each(VECTORS)('encodes %j id for id', (text, ids) => {
    expect([tok.bosId, ...tok.encode(text), tok.eosId]).toEqual(ids);
    expect(tok.countTokens(text)).toBe(ids.length - 2);
  });
  it('cleans like basic_clean/whitespace_clean before BPE', () => {
    const ids = tok.encode('a photo of a cat');
    expect(tok.encode('  A\tPHOTO \n of&#32;a &amp;#99;at ')).toEqual(ids);
    expect(tok.encode('don’t')).toEqual(tok.encode("don't")); // ftfy uncurls quotes
    expect(tok.encode('ＣＡＴ')).toEqual(tok.encode('cat')); // ftfy fixes full-width letters
  });
  it('spells the BPE symbols with </w> on word ends', () => {
    expect(tok.tokenize('An astronaut')).toEqual(['an</w>', 'astronaut</w>']);
  });
  it('measures throughput (numbers are for bench/, not asserted)', () => {
    const r = measureTokenizerThroughput(tok, ['a photo of a cat', 'naïve café — 東京 🚀 don\'t'], { minMs: 20 });
    expect(r.prompts).toBeGreaterThan(0);
    expect(r.promptsPerSecond).toBeGreaterThan(0);
  });
});

describe('tiny hand-made vocabulary', () => {
  const vocab = tinyVocab();
  const tok = new ClipTokenizer({ vocab, merges: ['#version: 0.2', ...TINY_MERGES] });

  it('takes BOS/EOS ids from the vocab entries, pads with <|endoftext|> by default', () => {
    expect(tok.bosId).toBe(vocab['<|startoftext|>']);
    expect(tok.eosId).toBe(vocab['<|endoftext|>']);
    expect(tok.bosId).not.toBe(49406);
    expect(tok.padId).toBe(tok.eosId);
  });
  it('merges by rank with </w> on the last symbol', () => {
    expect(tok.encode('cat dog red and')).toEqual([vocab['cat</w>'], vocab['dog</w>'], vocab['red</w>'], vocab['and</w>']]);
    expect(tok.tokenize('cats')).toEqual(['ca', 't', 's</w>']);
    expect(tok.tokenize('Cat, 42!')).toEqual(['cat</w>', ',</w>', '4</w>', '2</w>', '!</w>']);
  });
  it('falls back to byte tokens when a merged symbol is missing from the vocab', () => {
    // "x y" merges to "xy", which the vocab lacks: it is spelled with its byte tokens instead.
    expect(tok.tokenize('xy')).toEqual(['x', 'y</w>']);
    expect(tok.encode('xy')).toEqual([vocab.x, vocab['y</w>']]);
    expect(tok.tokenize('xyz')).toEqual(['xyz</w>']); // the next merge still applies
  });
  it('handles accents, CJK and emoji through UTF-8 bytes', () => {
    expect(tok.tokenize('é')).toEqual(['Ã', '©</w>']);
    expect(tok.encode('東京 🚀').length).toBe(10); // 3 + 3 bytes, 4 bytes
  });
  it('uses the unknown token when even byte tokens are missing, and never throws', () => {
    const sparse = new ClipTokenizer({ vocab: { a: 0, '<|startoftext|>': 1, '<|endoftext|>': 2 }, merges: '' });
    expect(sparse.encode('ab')).toEqual([0, 2]);
    expect(() => sparse.encode('\u0000\ud800 ((( 🚀')).not.toThrow();
  });
  it('accepts an explicit pad id and rejects a vocab without special tokens', () => {
    expect(new ClipTokenizer({ vocab, merges: TINY_MERGES, padTokenId: 0 }).padId).toBe(0);
    expect(new ClipTokenizer({ vocab, merges: TINY_MERGES, padToken: '!' }).padId).toBe(vocab['!']);
    expect(() => new ClipTokenizer({ vocab: { a: 0 }, merges: [] })).toThrow(/startoftext/);
  });
});

describe('tokenizer folders', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'taleframe-tok-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const writeModel = (name: string, merges: string, config?: object, specials?: object) => {
    const dir = path.join(tmp, name, 'tokenizer');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(tinyVocab()));
    writeFileSync(path.join(dir, 'merges.txt'), merges);
    if (config) writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(config));
    if (specials) writeFileSync(path.join(dir, 'special_tokens_map.json'), JSON.stringify(specials));
    return path.join(tmp, name);
  };

  it('reads CRLF merges.txt and skips the #version line', async () => {
    const dir = writeModel('crlf', `#version: 0.2\r\n${TINY_MERGES.join('\r\n')}\r\n`);
    const tok = await ClipTokenizer.fromFolder(dir);
    expect(tok.tokenize('cat dog')).toEqual(['cat</w>', 'dog</w>']);
  });
  it('reads the SD 1.x pad token and model_max_length', async () => {
    const dir = writeModel('sd1', TINY_MERGES.join('\n'),
      { model_max_length: 77, pad_token: '<|endoftext|>' }, { pad_token: '<|endoftext|>' });
    const tok = await ClipTokenizer.fromFolder(dir);
    expect([tok.padId, tok.maxLength]).toEqual([tok.eosId, 77]);
  });
  it('reads the SD 2.x pad token "!" (AddedToken object) -> id 0', async () => {
    const dir = writeModel('sd2', TINY_MERGES.join('\n'),
      { model_max_length: 77, pad_token: { __type: 'AddedToken', content: '!', lstrip: false } });
    expect((await ClipTokenizer.fromFolder(dir)).padId).toBe(0);
  });
  it('falls back to special_tokens_map.json and ignores the 1e30 "no limit" max length', async () => {
    const dir = writeModel('sd2-map', TINY_MERGES.join('\n'), { model_max_length: 1e30 }, { pad_token: '!' });
    const tok = await ClipTokenizer.fromFolder(dir);
    expect([tok.padId, tok.maxLength]).toEqual([0, 77]);
  });
  it('names the folder when the files are missing', async () => {
    await expect(ClipTokenizer.fromFolder(path.join(tmp, 'nowhere'))).rejects.toThrow(/nowhere/);
  });
});

describe('text cleaning', () => {
  it('unescapes HTML like CPython html.unescape', () => {
    expect(htmlUnescape('a &amp; b &lt;3 &#39;x&#x27; &ampx &eacute;t&eacute; &hellip; &bogus; &#128;')).toBe(
      "a & b <3 'x' &x été … &bogus; €");
  });
  it('collapses whitespace, trims and lower-cases', () => {
    expect(cleanPrompt('  Hello\u00a0\u3000World\n\t! ')).toBe('hello world !');
    expect(cleanPrompt('ﬁne “Quote”\u200b')).toBe('fine "quote"\u200b');
  });
});
