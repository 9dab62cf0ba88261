/**
 * The reversible byte <-> printable-character table of GPT-2/CLIP byte-level BPE. Every UTF-8 byte maps
 * to one visible Unicode character, so BPE can work on strings without whitespace/control characters and
 * no byte is ever "unknown": the 256 characters (and the same with `</w>`) are the first 512 vocab entries.
 *
 * Port of `bytes_to_unicode()` in openai/CLIP `clip/simple_tokenizer.py` (MIT): printable Latin-1 bytes
 * ('!'..'~', '¡'..'¬', '®'..'ÿ') map to themselves; the other 68 bytes map, in byte order, to U+0100 upward.
 */

function buildTable(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table = new Array<string>(256);
  for (const b of printable) table[b] = String.fromCharCode(b);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (table[b] === undefined) table[b] = String.fromCharCode(256 + n++);
  }
  return table;
}

/** `BYTE_TO_UNICODE[b]` is the character standing for byte `b` (0..255). */
export const BYTE_TO_UNICODE: readonly string[] = buildTable();

/** The 256 byte characters in the order simple_tokenizer.py lists them in the vocab (printables first). */
export function byteCharsInVocabOrder(): string[] {
  const order: string[] = [];
  const seen = new Set<number>();
  const ranges: [number, number][] = [[0x21, 0x7e], [0xa1, 0xac], [0xae, 0xff]];
  for (const [lo, hi] of ranges) for (let b = lo; b <= hi; b++) { order.push(BYTE_TO_UNICODE[b]); seen.add(b); }
  for (let b = 0; b < 256; b++) if (!seen.has(b)) order.push(BYTE_TO_UNICODE[b]);
  return order;
}

const encoder = new TextEncoder();

/** Maps a string's UTF-8 bytes to their byte characters (one character per byte). */
export function toByteChars(text: string): string {
  const bytes = encoder.encode(text);
  let out = '';
  for (const b of bytes) out += BYTE_TO_UNICODE[b];
  return out;
}
