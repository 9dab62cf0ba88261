/**
 * The CLIP byte-level BPE tokenizer that Stable Diffusion's text encoder was trained with, ported from
 * openai/CLIP `clip/simple_tokenizer.py` (MIT) so ids match the reference id for id (REFERENCE §5):
 * clean (text-cleaning.ts), lower-case, split with CLIP's regex, map each piece's UTF-8 bytes through
 * bytes_to_unicode, then merge adjacent symbols by merge rank with `</w>` on the piece's last symbol.
 *
 * `encode` returns content ids only (no BOS/EOS, no 75-token cap): windowing and padding live in
 * `src/diffusion/text-tokens.ts`. It never throws on odd text: a symbol missing from a (hand-made or
 * partial) vocab falls back to its byte characters, which every CLIP vocab holds, then to the unknown token
 * (`<|endoftext|>` as in transformers' CLIPTokenizer).
 */
import { toByteChars } from './bytes-to-unicode.js';
import { cleanPrompt, PY_WHITESPACE } from './text-cleaning.js';
import { readTokenizerFolder } from './tokenizer-files.js';

/** Data for a tokenizer; `merges` is merges.txt text (header and CRLF allowed) or its lines. */
export interface ClipTokenizerOptions {
  vocab: Readonly<Record<string, number>> | ReadonlyMap<string, number>;
  merges: string | readonly string[];
  /** Explicit pad id; wins over `padToken`. */
  padTokenId?: number;
  /** Pad token text (`<|endoftext|>` for SD 1.x, `!` for SD 2.x); default `<|endoftext|>`. */
  padToken?: string;
  unkToken?: string;
  bosToken?: string;
  eosToken?: string;
  /** Window length including BOS and EOS; default 77. */
  maxLength?: number;
}

const START = '<|startoftext|>';
const END = '<|endoftext|>';
const WORD_END = '</w>';
/** simple_tokenizer.py keeps merges[1 : 49152-256-2+1]: at most 48,894 merges. */
const MAX_MERGES = 49152 - 256 - 2;
/** Bounded so arbitrary user text cannot grow a long-lived worker's memory without limit. */
const CACHE_LIMIT = 50_000;

/** CLIP's split regex (`re.IGNORECASE` is moot: the text is lower-cased first). */
const PIECE_RE = new RegExp(
  `<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^${PY_WHITESPACE}\\p{L}\\p{N}]+`,
  'gu',
);

function parseMerges(merges: string | readonly string[]): Map<string, number> {
  const lines = typeof merges === 'string' ? merges.split('\n') : [...merges];
  if (lines.length > 0 && lines[0].startsWith('#')) lines.shift(); // "#version: 0.2"
  const ranks = new Map<string, number>();
  for (const raw of lines) {
    if (ranks.size >= MAX_MERGES) break;
    const parts = raw.trim().split(/\s+/);
    if (parts.length !== 2) continue; // blank or malformed line
    const key = `${parts[0]} ${parts[1]}`;
    if (!ranks.has(key)) ranks.set(key, ranks.size);
  }
  return ranks;
}

export class ClipTokenizer {
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly unkId: number;
  /** Window length including BOS and EOS (77 for every SD text encoder). */
  readonly maxLength: number;
  private readonly vocab: ReadonlyMap<string, number>;
  private readonly ranks: Map<string, number>;
  private readonly tokensById: string[] = [];
  private readonly cache = new Map<string, readonly number[]>();

  /** Loads `dir/tokenizer/*` (a model folder) or `dir/*` (a bare tokenizer folder). */
  static async fromFolder(dir: string): Promise<ClipTokenizer> {
    return new ClipTokenizer(await readTokenizerFolder(dir));
  }

  constructor(options: ClipTokenizerOptions) {
    this.vocab = options.vocab instanceof Map
      ? options.vocab
      : new Map(Object.entries(options.vocab as Record<string, number>));
    for (const [token, id] of this.vocab) this.tokensById[id] = token;
    this.ranks = parseMerges(options.merges);
    const idOf = (token: string | undefined) => (token === undefined ? undefined : this.vocab.get(token));
    const bos = idOf(options.bosToken) ?? idOf(START);
    const eos = idOf(options.eosToken) ?? idOf(END);
    if (bos === undefined || eos === undefined) {
      throw new Error(`CLIP vocab has no ${bos === undefined ? START : END} entry`);
    }
    this.bosId = bos;
    this.eosId = eos;
    this.unkId = idOf(options.unkToken) ?? eos;
    this.padId = options.padTokenId ?? idOf(options.padToken) ?? eos;
    this.maxLength = options.maxLength ?? 77;
    if (!Number.isInteger(this.maxLength) || this.maxLength < 3) {
      throw new Error(`maxLength ${options.maxLength} must be an integer >= 3`);
    }
  }

  /** Content ids for `text`: no BOS/EOS and no length cap. Never throws. */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const match of cleanPrompt(text).matchAll(PIECE_RE)) {
      for (const id of this.encodePiece(match[0])) ids.push(id);
    }
    return ids;
  }

  /** Number of content tokens `text` needs (BOS/EOS not counted). */
  countTokens(text: string): number {
    return this.encode(text).length;
  }

  /** The BPE symbols for `text` (byte characters, `</w>` on word ends), for debugging and tests. */
  tokenize(text: string): string[] {
    return this.encode(text).map((id) => this.tokensById[id] ?? '');
  }

  /** The vocab entry of `id`, e.g. `"cat</w>"`. */
  tokenText(id: number): string | undefined {
    return this.tokensById[id];
  }

  /** Drops the BPE cache (for cold-start measurements). */
  clearCache(): void {
    this.cache.clear();
  }

  private encodePiece(piece: string): readonly number[] {
    const cached = this.cache.get(piece);
    if (cached) return cached;
    let ids: number[];
    if (piece === START || piece === END) {
      // simple_tokenizer.py pre-seeds its cache so these pass through BPE whole.
      ids = [piece === START ? this.bosId : this.eosId];
    } else {
      ids = this.bpe(toByteChars(piece)).flatMap((symbol) => this.symbolIds(symbol));
    }
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(piece, ids);
    return ids;
  }

  /** `SimpleTokenizer.bpe`: repeatedly merge every occurrence of the lowest-ranked adjacent pair. */
  private bpe(chars: string): string[] {
    let word = Array.from(chars);
    word[word.length - 1] += WORD_END;
    while (word.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < word.length - 1; i++) {
        const rank = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (rank !== undefined && rank < bestRank) { bestRank = rank; best = i; }
      }
      if (best < 0) break;
      const first = word[best];
      const second = word[best + 1];
      const merged: string[] = [];
      for (let i = 0; i < word.length;) {
        if (i < word.length - 1 && word[i] === first && word[i + 1] === second) {
          merged.push(first + second);
          i += 2;
        } else {
          merged.push(word[i]);
          i += 1;
        }
      }
      word = merged;
    }
    return word;
  }

  /** Vocab ids of one BPE symbol; byte-wise fallback when the vocab lacks the merged symbol. */
  private symbolIds(symbol: string): number[] {
    const id = this.vocab.get(symbol);
    if (id !== undefined) return [id];
    const wordEnd = symbol.endsWith(WORD_END);
    const chars = Array.from(wordEnd ? symbol.slice(0, -WORD_END.length) : symbol);
    return chars.map((c, i) => {
      const last = wordEnd && i === chars.length - 1;
      return (last ? this.vocab.get(c + WORD_END) : undefined) ?? this.vocab.get(c) ?? this.unkId;
    });
  }
}
