/**
 * Token counting for prompt assembly. Prompts are fitted to the model's own CLIP tokenizer when its
 * files are readable from this process (MODEL_DIR/tokenizer); otherwise a deliberately generous
 * estimate is used, so a fitted prompt may end up shorter than needed but never overflows a chunk.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CountTokens } from '../core/prompt/prompt-assembly.js';
import { plainText, parseWeightedPrompt } from '../core/prompt/weighted-prompt.js';
import { ClipTokenizer } from '../tokenizer/clip-tokenizer.js';

/** Counts the tokens of a weighted prompt's text (weights and syntax stripped). */
export async function loadTokenCounter(modelDir: string): Promise<{ countTokens: CountTokens; exact: boolean }> {
  if (existsSync(path.join(modelDir, 'tokenizer', 'vocab.json'))) {
    const tokenizer = await ClipTokenizer.fromFolder(modelDir);
    return { countTokens: (text) => tokenizer.countTokens(plainText(parseWeightedPrompt(text))), exact: true };
  }
  return { countTokens: estimateTokens, exact: false };
}

/**
 * Upper estimate of CLIP tokens: every word piece costs at least one token, long words usually two
 * or more (about one token per 4 letters), digits one each, punctuation one per mark.
 */
export function estimateTokens(text: string): number {
  const plain = plainText(parseWeightedPrompt(text));
  let count = 0;
  for (const piece of plain.match(/\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/gu) ?? []) {
    count += /^\p{L}/u.test(piece) ? Math.max(1, Math.ceil(piece.length / 4)) : piece.length;
  }
  return count;
}
