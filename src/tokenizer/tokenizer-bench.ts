/**
 * Throughput micro-measure for the CLIP tokenizer, for `bench/` (tests never assert on timings). It encodes
 * a list of prompts repeatedly for at least `minMs` and reports prompts and tokens per second, cold (cache
 * cleared before every pass) or warm (the BPE cache kept, as in a long-running worker).
 */
import type { ClipTokenizer } from './clip-tokenizer.js';

export interface TokenizerThroughputOptions {
  /** Keep measuring until this many milliseconds have passed (default 300). */
  minMs?: number;
  /** Clear the BPE cache before every pass over the prompts (default false). */
  cold?: boolean;
}

export interface TokenizerThroughput {
  promptsPerSecond: number;
  tokensPerSecond: number;
  prompts: number;
  tokens: number;
  elapsedMs: number;
}

/** Encodes `prompts` in passes until `minMs` has elapsed; one warm-up pass is not counted. */
export function measureTokenizerThroughput(
  tokenizer: ClipTokenizer,
  prompts: readonly string[],
  options: TokenizerThroughputOptions = {},
): TokenizerThroughput {
  if (prompts.length === 0) throw new Error('measureTokenizerThroughput needs at least one prompt');
  const minMs = options.minMs ?? 300;
  for (const p of prompts) tokenizer.encode(p);
  let count = 0;
  let tokens = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    if (options.cold) tokenizer.clearCache();
    for (const p of prompts) tokens += tokenizer.encode(p).length;
    count += prompts.length;
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  const seconds = elapsed / 1000;
  return { promptsPerSecond: count / seconds, tokensPerSecond: tokens / seconds, prompts: count, tokens, elapsedMs: elapsed };
}
