/**
 * Weighted prompts as users type them (REFERENCE §4), read into chunks of `{text, weight}` spans that the
 * text encoder weights token by token. One parser accepts the three dialects people paste into Discord:
 *   A1111     `(x)` x1.1, `((x))` x1.21, `[x]` /1.1, `(x:1.3)`, nesting multiplies, `\(` escapes, `BREAK`
 *             starts a new 75-token chunk (modules/prompt_parser.py `parse_prompt_attention`);
 *   Compel    `word+` x1.1, `word++` x1.21, `word-` x0.9, `(words)1.3`, `(words)+` (replaces A1111's x1.1);
 *   Midjourney `a:: b::2` segment weights (default 1, may be negative), `--no`, `--seed`, `--chaos`, `--ar`
 *             (midjourney-params.ts).
 * Pure and total: malformed syntax is read as text and explained in `warnings` (the bot shows them), weights
 * are clamped to WEIGHT_RANGE, and input beyond MAX_PROMPT_CHARS is cut with a warning.
 */
import { extractMidjourneyParams, type PromptOptions } from './midjourney-params.js';
import { clampWeight, finishChunks, type Piece, type WeightedSpan } from './weighted-spans.js';

export type { PromptOptions } from './midjourney-params.js';
export type { WeightedSpan } from './weighted-spans.js';
export { formatWeightedPrompt, plainText, WEIGHT_RANGE } from './weighted-spans.js';

export interface ParsedPrompt {
  /** At least one chunk; `[[]]` for an empty prompt. Adjacent spans never share a weight. */
  chunks: WeightedSpan[][];
  /** Midjourney `--no` lists, joined with ", " ('' when none). */
  negative: string;
  options: PromptOptions;
  /** Short, human sentences about what was ignored or changed. */
  warnings: string[];
}

/** Longer prompts are cut (Discord allows 6000 characters in a modal; CLIP reads ~75 tokens a chunk). */
export const MAX_PROMPT_CHARS = 2000;

const ROUND = 1.1;
const WORD_CHAR = /[\p{L}\p{N}_]/u;
const TRAILING_WORD = /[\p{L}\p{N}_]+(?:'[\p{L}\p{N}_]+)*$/u;
/** Compel `+`/`-` runs count only when a word boundary follows ("well-known" is text). */
const SUFFIX_RE = /^(\++|-+)(?=$|[\s,.;:!?()[\]|])/;
/** Compel `(words)1.3`: a bare number right after `)`, not the start of a word ("(x)1girl" is text). */
const NUMBER_SUFFIX_RE = /^(\d+(?:\.\d+)?|\.\d+)(?![\p{L}\p{N}_])/u;
/** A1111 `(x:1.3)`: colon, number-like text, close paren. */
const COLON_NUMBER_RE = /^:\s*([+-]?[\d.]+)\s*\)/;
/** `(x:abc)`: a colon glued to one token before the close paren — meant as a weight, but not a number. */
const COLON_JUNK_RE = /^:([^\s()[\]\\:]*)\s*\)/;
/** Midjourney `::` with an optional weight. */
const DOUBLE_COLON_RE = /^::(-?(?:\d+(?:\.\d*)?|\.\d+))?/;
const BREAK_RE = /^BREAK(?![\p{L}\p{N}_])/u;

function parseNumber(raw: string): number | undefined {
  return /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(raw) ? Number(raw) : undefined;
}

/**
 * Parses a prompt in A1111 / Compel / Midjourney syntax.
 * @example parseWeightedPrompt('a (red:1.3) cat BREAK night sky::2 --no people --ar 3:2')
 */
export function parseWeightedPrompt(input: string): ParsedPrompt {
  const warnings: string[] = [];
  let text = input;
  if (text.length > MAX_PROMPT_CHARS) {
    const cut = /[\ud800-\udbff]/.test(text[MAX_PROMPT_CHARS - 1]) ? MAX_PROMPT_CHARS - 1 : MAX_PROMPT_CHARS;
    warnings.push(`The prompt is ${text.length} characters long; only the first ${MAX_PROMPT_CHARS} were used.`);
    text = text.slice(0, cut);
  }
  const params = extractMidjourneyParams(text);
  warnings.push(...params.warnings);
  const pieces = scan(params.text, warnings);
  const chunks = finishChunks(pieces, warnings);
  return { chunks, negative: params.negative, options: params.options, warnings: [...new Set(warnings)] };
}

/** One left-to-right pass, in the manner of A1111's `parse_prompt_attention` (separate bracket stacks). */
function scan(text: string, warnings: string[]): Piece[] {
  const pieces: Piece[] = [];
  const round: number[] = [];
  const roundAt: number[] = []; // where each open "(" is in `text`, for warnings
  const square: number[] = [];
  let buf = '';
  const flush = () => {
    if (buf) pieces.push({ kind: 'text', text: buf, weight: 1 });
    buf = '';
  };
  const multiply = (from: number, factor: number) => {
    for (let p = from; p < pieces.length; p++) {
      const piece = pieces[p];
      if (piece.kind === 'text') piece.weight *= factor;
    }
  };
  /** Closes the group opened at piece `open`: its placeholder bracket disappears. */
  const close = (open: number, factor: number) => {
    flush();
    (pieces[open] as { text: string }).text = '';
    multiply(open, factor);
  };

  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const rest = text.slice(i);
    if (c === '\\') {
      // Any escaped character is literal; a lone trailing backslash is dropped (as A1111 does).
      const next = String.fromCodePoint(text.codePointAt(i + 1) ?? 0);
      if (i + 1 < text.length) buf += next;
      i += 1 + (i + 1 < text.length ? next.length : 0);
      continue;
    }
    if (c === '(' || c === '[') {
      flush();
      (c === '(' ? round : square).push(pieces.length);
      if (c === '(') roundAt.push(i);
      pieces.push({ kind: 'text', text: c, weight: 1 });
      i += 1;
      continue;
    }
    if (c === ':' && round.length > 0) {
      const num = COLON_NUMBER_RE.exec(rest);
      const junk = num ? null : COLON_JUNK_RE.exec(rest);
      const attempt = num ?? junk;
      if (attempt) {
        const open = round.pop()!;
        const from = roundAt.pop()!;
        const value = num ? parseNumber(num[1]) : undefined;
        if (value === undefined) {
          const group = text.slice(from, i + attempt[0].length);
          const shown = group.length > 50 ? `${group.slice(0, 20)}…${group.slice(-25)}` : group;
          const tail = attempt[1] === '' ? 'nothing' : `"${attempt[1]}"`;
          warnings.push(`In "${shown}" the weight after ":" is ${tail}, not a number; the weight was ignored.`);
          buf += `:${attempt[1]}`;
          close(open, 1);
        } else {
          close(open, clampWeight(value, warnings));
        }
        i += attempt[0].length;
        continue;
      }
    }
    if (c === ')' || c === ']') {
      const stack = c === ')' ? round : square;
      if (stack.length === 0) {
        warnings.push(`A "${c}" had no matching "${c === ')' ? '(' : '['}" and was read as text.`);
        buf += c;
        i += 1;
        continue;
      }
      const open = stack.pop()!;
      if (c === ')') roundAt.pop();
      let factor = c === ')' ? ROUND : 1 / ROUND;
      let used = 1;
      if (c === ')') {
        const suffix = SUFFIX_RE.exec(rest.slice(1));
        const number = suffix ? null : NUMBER_SUFFIX_RE.exec(rest.slice(1));
        if (suffix) factor = (suffix[1][0] === '+' ? ROUND : 0.9) ** suffix[1].length;
        if (number) factor = clampWeight(Number(number[1]), warnings);
        used += (suffix ?? number)?.[0].length ?? 0;
      }
      close(open, factor);
      i += used;
      continue;
    }
    if ((c === '+' || c === '-') && buf) {
      const suffix = SUFFIX_RE.exec(rest);
      const word = suffix ? TRAILING_WORD.exec(buf) : null;
      if (suffix && word) {
        buf = buf.slice(0, word.index);
        flush();
        const factor = (c === '+' ? ROUND : 0.9) ** suffix[1].length;
        pieces.push({ kind: 'text', text: word[0], weight: factor });
        i += suffix[0].length;
        continue;
      }
    }
    if (c === ':' && rest.startsWith('::') && round.length === 0 && square.length === 0) {
      const m = DOUBLE_COLON_RE.exec(rest)!;
      flush();
      const weight = m[1] === undefined ? null : clampWeight(Number(m[1]), warnings);
      pieces.push({ kind: 'segment', weight });
      i += m[0].length;
      // "hot::dog" is two segments: keep a word boundary between them.
      const before = text[i - m[0].length - 1];
      if (i < text.length && before !== undefined && !/\s/.test(before) && !/\s/.test(text[i])) buf = ' ';
      continue;
    }
    if (c === 'B' && BREAK_RE.test(rest) && !(i > 0 && WORD_CHAR.test(text[i - 1]))) {
      flush();
      pieces.push({ kind: 'break' });
      i += 5;
      continue;
    }
    buf += c;
    i += 1;
  }
  flush();
  // Unclosed groups keep their bracket placeholder as literal text (A1111 would weight the rest instead).
  if (round.length > 0) warnings.push('A "(" was never closed and was read as text.');
  if (square.length > 0) warnings.push('A "[" was never closed and was read as text.');
  return pieces;
}
