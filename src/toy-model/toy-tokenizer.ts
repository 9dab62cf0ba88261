/**
 * Builds the toy model's CLIP-format BPE tokenizer files. The layout follows openai CLIP's
 * simple_tokenizer: ids 0..255 are the bytes_to_unicode characters (GPT-2's reversible byte map), ids
 * 256..511 the same characters with `</w>` (end of word), then one id per learned merge, then
 * `<|startoftext|>` and `<|endoftext|>` as the last two ids. Merges are learned by plain BPE (Sennrich et
 * al. 2016, Alg. 1) over a word list: repeatedly merge the most frequent adjacent pair, ties broken by
 * the pair's text so the result is deterministic. Pairs whose merged text already exists are skipped
 * so every merge adds exactly one new vocabulary entry.
 */
import { GENERIC_WORDS, STORY_WORDS } from './word-list.js';

export const BOS_TOKEN = '<|startoftext|>';
export const EOS_TOKEN = '<|endoftext|>';

export interface ToyTokenizer {
  /** token -> id, in id order. */
  vocab: Map<string, number>;
  /** Merge pairs in rank order, each "left right". */
  merges: string[];
  bosId: number;
  eosId: number;
}

/**
 * GPT-2/CLIP bytes_to_unicode: printable bytes map to themselves, the other 68 to U+0100 onwards.
 * `vocabOrder` is the order CLIP lists them in its vocabulary; `byByte[b]` is byte b's character.
 */
export function bytesToUnicode(): { vocabOrder: string[]; byByte: string[] } {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const order = [...printable];
  const vocabOrder = printable.map((b) => String.fromCodePoint(b));
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!printable.includes(b)) {
      order.push(b);
      vocabOrder.push(String.fromCodePoint(256 + n++));
    }
  }
  const byByte: string[] = new Array(256);
  order.forEach((b, i) => (byByte[b] = vocabOrder[i]));
  return { vocabOrder, byByte };
}

/** Word frequencies of some text (lower-cased letter runs, as CLIP's pre-tokenizer splits them). */
export function wordFrequencies(texts: string[]): Map<string, number> {
  const freq = new Map<string, number>();
  for (const text of texts) {
    for (const m of text.toLowerCase().matchAll(/\p{L}+/gu)) freq.set(m[0], (freq.get(m[0]) ?? 0) + 1);
  }
  return freq;
}

/**
 * Learns merges from the built-in word list first, then (up to `maxMerges`) from words of `passages`
 * that the list lacks. Every built-in word is a single token after the first phase, so passages only
 * append ids: a prompt made of built-in words tokenizes the same whatever examples/ holds.
 * `builtInTexts` replaces the built-in list (the storybook model adds its caption vocabulary).
 */
export function learnToyTokenizer(
  passages: string[] = [],
  maxMerges = 2000,
  builtInTexts: readonly string[] = [STORY_WORDS, GENERIC_WORDS],
): ToyTokenizer {
  const { vocabOrder: base, byByte } = bytesToUnicode();
  const known = new Set<string>([...base, ...base.map((c) => `${c}</w>`)]);
  const merges: string[] = [];
  const builtIn = wordFrequencies([...builtInTexts]);
  const corpus = new BpeCorpus(builtIn, byByte);
  corpus.learn(merges, known, maxMerges);
  const extra = new Map([...wordFrequencies(passages)].filter(([word]) => !builtIn.has(word)));
  const more = new BpeCorpus(extra, byByte);
  merges.forEach((m) => more.apply(m));
  more.learn(merges, known, maxMerges);
  const vocab = new Map<string, number>();
  for (const token of [...base, ...base.map((c) => `${c}</w>`), ...merges.map((m) => m.replace(' ', ''))]) {
    vocab.set(token, vocab.size);
  }
  const bosId = vocab.size;
  vocab.set(BOS_TOKEN, bosId);
  vocab.set(EOS_TOKEN, bosId + 1);
  return { vocab, merges, bosId, eosId: bosId + 1 };
}

/** Words as symbol sequences (bytes_to_unicode chars, `</w>` on the last) with their counts. */
class BpeCorpus {
  private readonly seqs: string[][];
  private readonly counts: number[];

  constructor(words: Map<string, number>, byByte: string[]) {
    const utf8 = new TextEncoder();
    const entries = [...words.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.seqs = entries.map(([word]) => {
      const symbols = [...utf8.encode(word)].map((b) => byByte[b]);
      symbols[symbols.length - 1] += '</w>';
      return symbols;
    });
    this.counts = entries.map(([, count]) => count);
  }

  /** Greedy BPE: merge the most frequent new pair until none is left or `maxMerges` is reached. */
  learn(merges: string[], known: Set<string>, maxMerges: number): void {
    while (merges.length < maxMerges) {
      const pairCounts = new Map<string, number>();
      this.seqs.forEach((seq, w) => {
        for (let i = 0; i + 1 < seq.length; i++) {
          const key = `${seq[i]} ${seq[i + 1]}`;
          pairCounts.set(key, (pairCounts.get(key) ?? 0) + this.counts[w]);
        }
      });
      let best: string | null = null;
      let bestCount = 0;
      for (const [key, count] of pairCounts) {
        if (known.has(key.replace(' ', ''))) continue;
        if (count > bestCount || (count === bestCount && best !== null && key < best)) {
          best = key;
          bestCount = count;
        }
      }
      if (best === null) return;
      merges.push(best);
      known.add(best.replace(' ', ''));
      this.apply(best);
    }
  }

  /** Applies one merge "left right" to every word, left to right. */
  apply(merge: string): void {
    const [left, right] = merge.split(' ');
    for (const seq of this.seqs) {
      for (let i = 0; i + 1 < seq.length; i++) {
        if (seq[i] === left && seq[i + 1] === right) seq.splice(i, 2, left + right);
      }
    }
  }
}

/** The four tokenizer/ files, as file name -> text. `addedTokenObjects` writes HF AddedToken objects. */
export function tokenizerFiles(tok: ToyTokenizer, addedTokenObjects = false): Record<string, string> {
  const special = (content: string) =>
    addedTokenObjects
      ? { __type: 'AddedToken', content, lstrip: false, normalized: true, rstrip: false, single_word: false }
      : content;
  const specials = {
    bos_token: special(BOS_TOKEN),
    eos_token: special(EOS_TOKEN),
    pad_token: special(EOS_TOKEN),
    unk_token: special(EOS_TOKEN),
  };
  const config = {
    add_prefix_space: false,
    ...specials,
    clean_up_tokenization_spaces: true,
    do_lower_case: true,
    errors: 'replace',
    model_max_length: 77,
    tokenizer_class: 'CLIPTokenizer',
  };
  return {
    // Written by hand so keys stay in id order (an object would move "0".."9" to the front).
    'vocab.json': `{${[...tok.vocab].map(([token, id]) => `${JSON.stringify(token)}:${id}`).join(',')}}`,
    'merges.txt': `#version: 0.2\n${tok.merges.join('\n')}\n`,
    'tokenizer_config.json': `${JSON.stringify(config, null, 2)}\n`,
    'special_tokens_map.json': `${JSON.stringify(specials, null, 2)}\n`,
  };
}
