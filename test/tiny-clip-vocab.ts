/**
 * A tiny, hand-made CLIP vocabulary built the way simple_tokenizer.py builds the real one (256 byte
 * characters, the same with `</w>`, one entry per merge, then the two special tokens), so tests that must
 * run without the real 49,408-entry vocabulary still exercise real BPE. Its special-token ids are small
 * (not 49406/49407), like the project's toy model.
 */
import { byteCharsInVocabOrder } from '../src/tokenizer/bytes-to-unicode.js';

/** Merges of the tiny vocab; "x y" is deliberately left out of the vocab to test the byte fallback. */
export const TINY_MERGES = ['c a', 'ca t</w>', 'd o', 'do g</w>', 'r e', 're d</w>', 'x y', 'xy z</w>', 'a n', 'an d</w>'];

export function tinyVocab(): Record<string, number> {
  const bytes = byteCharsInVocabOrder();
  const tokens = [...bytes, ...bytes.map((c) => `${c}</w>`), ...TINY_MERGES.map((m) => m.replace(' ', ''))];
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => { vocab[t] = i; });
  delete vocab.xy;
  vocab['<|startoftext|>'] = tokens.length;
  vocab['<|endoftext|>'] = tokens.length + 1;
  return vocab;
}
