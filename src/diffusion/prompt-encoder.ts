/**
 * Prompt text -> text-encoder embeddings, with prompt weights. A prompt is parsed for weights
 * (A1111 / Compel / Midjourney syntax), tokenized into 77-token windows (BOS + 75 + EOS/pad, one per
 * BREAK chunk or 75 tokens), each window is encoded on its own, and the windows are concatenated
 * along the sequence axis (77 * k), as A1111 and ComfyUI do for long prompts. Weights follow
 * ComfyUI's rule per token, z = (z - z_empty) * w + z_empty, where z_empty is the encoding of the
 * empty prompt at the same position (REFERENCE §4): w = 1 leaves a token alone, w > 1 pushes it away
 * from "nothing said", w < 1 pulls it toward it. Encodings are cached per prompt text.
 */
import type * as ort from 'onnxruntime-node';
import { parseWeightedPrompt } from '../core/prompt/weighted-prompt.js';
import type { ClipTokenizer } from '../tokenizer/clip-tokenizer.js';
import { tokenizeWeighted } from './text-tokens.js';
import type { TextEncoderSignature } from './model-signature.js';
import { idsTensor, onesTensor, readFloats } from './tensors.js';

/** One encoded prompt: k windows of [77, D] each, weights already applied. */
export interface PromptEncoding {
  windows: Float32Array[];
  /** Index of EOS in each window (for the pooled mean). */
  eosIndex: number[];
  warnings: string[];
  /** A negative prompt the text itself carried (Midjourney `--no x`). */
  negative?: string;
}

const CACHE_SIZE = 64;

export class PromptEncoder {
  /** D, known after the first encoding (the empty prompt, encoded at load). */
  hiddenSize = 0;
  /** Total time inside text_encoder.run, for RenderTimings. */
  runMs = 0;
  private empty?: Float32Array;
  private readonly cache = new Map<string, PromptEncoding>();

  constructor(
    private readonly session: ort.InferenceSession,
    private readonly signature: TextEncoderSignature,
    private readonly tokenizer: ClipTokenizer,
  ) {}

  /** Length of one window (77 for every SD text encoder). */
  get windowLength(): number {
    return this.tokenizer.maxLength;
  }

  /** The empty prompt's window: the unconditional embedding and the anchor for weights. */
  async emptyWindow(): Promise<Float32Array> {
    if (!this.empty) {
      const ids = new Int32Array(this.windowLength).fill(this.tokenizer.padId);
      ids[0] = this.tokenizer.bosId;
      ids[1] = this.tokenizer.eosId;
      this.empty = await this.run(ids);
    }
    return this.empty;
  }

  /** Encodes a prompt (cached). `""` gives one empty window. */
  async encode(prompt: string): Promise<PromptEncoding> {
    const hit = this.cache.get(prompt);
    if (hit) {
      // Refresh recency: Map iteration order is insertion order, so the oldest entry goes first.
      this.cache.delete(prompt);
      this.cache.set(prompt, hit);
      return hit;
    }
    const encoding = await this.encodeUncached(prompt);
    this.cache.set(prompt, encoding);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    return encoding;
  }

  /**
   * The mean of the text-encoder output over every real token (BOS .. EOS of each window, pad
   * excluded), a cheap prompt descriptor for step budgets.
   */
  async pooled(prompt: string): Promise<Float32Array> {
    const { windows, eosIndex } = await this.encode(prompt);
    const d = this.hiddenSize;
    const sum = new Float64Array(d);
    let count = 0;
    windows.forEach((window, w) => {
      for (let p = 0; p <= eosIndex[w]; p++, count++) {
        for (let j = 0; j < d; j++) sum[j] += window[p * d + j];
      }
    });
    return Float32Array.from(sum, (v) => v / count);
  }

  /**
   * Embeddings for a CFG batch: `unconditional` windows padded to the same count as `conditional`
   * (with empty windows, as A1111 does), laid out as [uncond x n, cond x n] or [cond x n] when
   * `unconditional` is undefined. At most `maxWindows` windows are kept (UNets exported with a fixed
   * sequence length); `cut` says whether any were dropped. Returns the data and the sequence length.
   */
  async batch(
    conditional: PromptEncoding,
    unconditional: PromptEncoding | undefined,
    n: number,
    maxWindows = Infinity,
  ): Promise<{ data: Float32Array; sequence: number; cut: boolean }> {
    const empty = await this.emptyWindow();
    const wanted = Math.max(conditional.windows.length, unconditional?.windows.length ?? 0);
    const k = Math.min(wanted, maxWindows);
    const cut = k < wanted;
    const pad = (windows: Float32Array[]) => [...windows.slice(0, k), ...Array<Float32Array>(Math.max(0, k - windows.length)).fill(empty)];
    const rows = unconditional ? [pad(unconditional.windows), pad(conditional.windows)] : [pad(conditional.windows)];
    const windowSize = this.windowLength * this.hiddenSize;
    const itemSize = k * windowSize;
    const data = new Float32Array(rows.length * n * itemSize);
    rows.forEach((windows, r) => {
      for (let i = 0; i < n; i++) {
        const base = (r * n + i) * itemSize;
        windows.forEach((window, w) => data.set(window, base + w * windowSize));
      }
    });
    return { data, sequence: k * this.windowLength, cut };
  }

  private async encodeUncached(prompt: string): Promise<PromptEncoding> {
    const parsed = parseWeightedPrompt(prompt);
    const tokens = tokenizeWeighted(this.tokenizer, parsed.chunks);
    const empty = await this.emptyWindow();
    const d = this.hiddenSize;
    const windows: Float32Array[] = [];
    const eosIndex: number[] = [];
    for (const { ids, weights } of tokens) {
      const z = await this.run(ids);
      for (let p = 0; p < weights.length; p++) {
        const w = weights[p];
        if (w === 1) continue;
        // ComfyUI: z = (z - z_empty) * w + z_empty, per position.
        for (let j = p * d; j < (p + 1) * d; j++) z[j] = (z[j] - empty[j]) * w + empty[j];
      }
      windows.push(z);
      const eos = ids.indexOf(this.tokenizer.eosId, 1);
      eosIndex.push(eos > 0 ? eos : ids.length - 1);
    }
    if (windows.length === 0) {
      windows.push(empty);
      eosIndex.push(1);
    }
    return { windows, eosIndex, warnings: [...parsed.warnings], negative: parsed.negative };
  }

  /** One window through the text encoder: ids [1, 77] -> a copy of last_hidden_state [77 * D]. */
  private async run(ids: Int32Array): Promise<Float32Array> {
    const feeds: Record<string, ort.Tensor> = { [this.signature.idsInput]: idsTensor(this.signature.idsType, ids) };
    const mask = this.signature.attentionMaskInput;
    if (mask) feeds[mask.name] = onesTensor(mask.type, ids.length);
    const start = performance.now();
    const out = await this.session.run(feeds, [this.signature.hiddenOutput]);
    this.runMs += performance.now() - start;
    const hidden = out[this.signature.hiddenOutput] as ort.Tensor;
    const values = readFloats(hidden, 'last_hidden_state');
    if (hidden.dims.length !== 3 || hidden.dims[1] !== ids.length) {
      throw new Error(`The text encoder returned shape [${hidden.dims.join(', ')}], not [1, ${ids.length}, D].`);
    }
    this.hiddenSize = hidden.dims[2];
    return Float32Array.from(values);
  }
}
