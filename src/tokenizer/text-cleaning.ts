/**
 * Prompt cleaning before CLIP BPE, mirroring `basic_clean` + `whitespace_clean` + `.lower()` in openai/CLIP
 * `clip/simple_tokenizer.py`. The reference runs `ftfy.fix_text` first; we apply the parts of ftfy's default
 * fixes that change typed prompts (ftfy 6 `fixes.py`/`chardata.py`): Latin ligatures, full-width forms,
 * curly quotes, invisible control characters, and NFC. Mojibake repair (`fix_encoding`) is not ported: it
 * needs ftfy's large heuristics tables and does not occur in text typed into Discord.
 *
 * Whitespace is Python's `str.isspace()` set (what `re`'s `\s` matches), which differs from JavaScript's
 * `\s` (Python counts U+001C..U+001F and U+0085, JavaScript counts U+FEFF).
 */
import { htmlUnescape } from './html-unescape.js';

/** Python's whitespace characters as a regex class body. */
export const PY_WHITESPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const WHITESPACE_RUN = new RegExp(`[${PY_WHITESPACE}]+`, 'g');
const EDGE_WHITESPACE = new RegExp(`^[${PY_WHITESPACE}]+|[${PY_WHITESPACE}]+$`, 'g');

/** ftfy `fix_latin_ligatures` (chardata.LIGATURES). */
const LIGATURES: Record<string, string> = {
  '\u0132': 'IJ', '\u0133': 'ij', '\u0149': '\u02bcn', '\u01f1': 'DZ', '\u01f2': 'Dz', '\u01f3': 'dz',
  '\u01c4': 'D\u017d', '\u01c5': 'D\u017e', '\u01c6': 'd\u017e', '\u01c7': 'LJ', '\u01c8': 'Lj', '\u01c9': 'lj',
  '\u01ca': 'NJ', '\u01cb': 'Nj', '\u01cc': 'nj', '\ufb00': 'ff', '\ufb01': 'fi', '\ufb02': 'fl',
  '\ufb03': 'ffi', '\ufb04': 'ffl', '\ufb05': '\u017ft', '\ufb06': 'st',
};
const LIGATURE_RE = /[\u0132\u0133\u0149\u01c4-\u01cc\u01f1-\u01f3\ufb00-\ufb06]/g;

/** ftfy `fix_character_width`: U+FF01..U+FFEF to their NFKC form, ideographic space to a space. */
const WIDE_RE = /[\uff01-\uffef\u3000]/g;

/** ftfy `remove_control_chars` (chardata.CONTROL_CHARS). */
const CONTROL_RE = /[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc]/g;

/** The subset of `ftfy.fix_text` described in the module comment, in ftfy's order. */
export function fixText(text: string): string {
  return text
    .replace(LIGATURE_RE, (c) => LIGATURES[c])
    .replace(WIDE_RE, (c) => (c === '\u3000' ? ' ' : c.normalize('NFKC')))
    .replace(/[\u02bc\u2018-\u201b]/g, "'")
    .replace(/[\u201c-\u201f]/g, '"')
    .replace(CONTROL_RE, '')
    .normalize('NFC');
}

/** Collapses runs of (Python) whitespace to one space and trims, like `whitespace_clean`. */
export function collapseWhitespace(text: string): string {
  return text.replace(WHITESPACE_RUN, ' ').replace(EDGE_WHITESPACE, '');
}

/** `whitespace_clean(basic_clean(text)).lower()` from simple_tokenizer.py. */
export function cleanPrompt(text: string): string {
  const unescaped = htmlUnescape(htmlUnescape(fixText(text)));
  return collapseWhitespace(unescaped).toLowerCase();
}
