/**
 * Weighted prompt chunks -> text-encoder windows. Each window is what CLIP's text encoder takes at once:
 * BOS, up to 75 content ids, EOS, then pad to 77 (REFERENCE §5), with a weight per position (1 on BOS, EOS
 * and pad). Each span is tokenized on its own so its tokens carry its weight; each BREAK chunk starts a new
 * window; a chunk longer than 75 tokens continues in further windows and is never truncated.
 *
 * Where a long chunk is split follows A1111 (`modules/sd_hijack_clip.py`, `tokenize_line`): when a window
 * is full, the tokens after the last comma within the last 20 move to the next window, so a phrase stays
 * whole. Failing a comma we split after the last token that ends a word (`</w>`), so a word is never cut in
 * two; failing that, at exactly 75.
 */
import type { WeightedSpan } from '../core/prompt/weighted-prompt.js';
import type { ClipTokenizer } from '../tokenizer/clip-tokenizer.js';

/** One text-encoder input: `ids` and `weights` are `tokenizer.maxLength` (77) long. */
export interface TokenWindow {
  ids: Int32Array;
  weights: Float32Array;
  /** Content tokens in this window (EOS sits at index `tokenCount + 1`). */
  tokenCount: number;
}

/** A1111's `comma_padding_backtrack` default: how far back a split may move to stay on a boundary. */
export const SPLIT_BACKTRACK = 20;

interface Token { id: number; weight: number }

/**
 * Tokenizes weighted chunks (from `parseWeightedPrompt`) into 77-token windows; at least one window.
 * @example tokenizeWeighted(tok, parseWeightedPrompt('a (red:1.3) cat BREAK night sky').chunks) // 2 windows
 */
export function tokenizeWeighted(tokenizer: ClipTokenizer, chunks: readonly (readonly WeightedSpan[])[]): TokenWindow[] {
  const capacity = tokenizer.maxLength - 2;
  const windows: TokenWindow[] = [];
  for (const spans of chunks) {
    const tokens: Token[] = spans.flatMap((span) => tokenizer.encode(span.text).map((id) => ({ id, weight: span.weight })));
    for (const part of splitIntoWindows(tokenizer, tokens, capacity)) windows.push(toWindow(tokenizer, part));
  }
  if (windows.length === 0) windows.push(toWindow(tokenizer, []));
  return windows;
}

/** `text` as-is (no weight syntax), weight 1 everywhere, in as many windows as it needs. */
export function tokenizePlain(tokenizer: ClipTokenizer, text: string): TokenWindow[] {
  return tokenizeWeighted(tokenizer, [[{ text, weight: 1 }]]);
}

/** Content tokens of one chunk -> groups of at most `capacity`; one (possibly empty) group at least. */
function splitIntoWindows(tokenizer: ClipTokenizer, tokens: Token[], capacity: number): Token[][] {
  const groups: Token[][] = [];
  let rest = tokens;
  while (rest.length > capacity) {
    const cut = cutPoint(tokenizer, rest, capacity);
    groups.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  groups.push(rest);
  return groups;
}

/** How many of `tokens` go in this window: after a comma, else after a word end, else `capacity`. */
function cutPoint(tokenizer: ClipTokenizer, tokens: Token[], capacity: number): number {
  // The token at `capacity` starts the next window anyway: a cut at `capacity` is on a boundary when
  // the token before it ends a word.
  const lowest = Math.max(1, capacity - SPLIT_BACKTRACK + 1);
  for (let cut = capacity; cut >= lowest; cut--) {
    if (tokenizer.tokenText(tokens[cut - 1].id) === ',</w>') return cut;
  }
  for (let cut = capacity; cut >= lowest; cut--) {
    if (tokenizer.tokenText(tokens[cut - 1].id)?.endsWith('</w>')) return cut;
  }
  return capacity;
}

function toWindow(tokenizer: ClipTokenizer, tokens: Token[]): TokenWindow {
  const ids = new Int32Array(tokenizer.maxLength).fill(tokenizer.padId);
  const weights = new Float32Array(tokenizer.maxLength).fill(1);
  ids[0] = tokenizer.bosId;
  tokens.forEach((t, i) => {
    ids[1 + i] = t.id;
    weights[1 + i] = t.weight;
  });
  ids[1 + tokens.length] = tokenizer.eosId;
  return { ids, weights, tokenCount: tokens.length };
}
