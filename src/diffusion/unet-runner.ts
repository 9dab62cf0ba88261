/**
 * Runs the UNet once per denoising step with buffers allocated once per render: the sample input,
 * the text embeddings, the LCM guidance embedding and the output are ort Tensors created before the
 * loop, and the output is passed through `fetches` so onnxruntime writes into the same buffer every
 * step instead of allocating one (REFERENCE §9). onnxruntime-node 1.30 still hands back its result
 * in a separate JS buffer (measured: never the fetch's own), so run() copies from whichever buffer it
 * gets into `output`. fp16 exports get their float16 copies refreshed in place. A UNet exported with
 * a fixed batch size is run in slices of that size.
 */
import * as ort from 'onnxruntime-node';
import { float32ToFloat16 } from './float16.js';
import type { UnetSignature } from './model-signature.js';
import { readFloats, timestepTensor } from './tensors.js';

export interface UnetBatch {
  /** Batch size B (2N with classifier-free guidance, else N). */
  batch: number;
  /** Latent height and width (H/8, W/8). */
  h: number;
  w: number;
  /** [B, S, D] text embeddings. */
  hidden: Float32Array;
  sequence: number;
  hiddenSize: number;
  /** [dim] LCM guidance embedding, repeated for every batch item. */
  timestepCond?: Float32Array;
}

interface Slice {
  from: number;
  size: number;
  sample: ort.Tensor;
  hidden: ort.Tensor;
  cond?: ort.Tensor;
  output?: ort.Tensor;
}

export class UnetRunner {
  /** [B, C, h, w] with C = the UNet's channels (4 or 9). Fill before each run(). */
  readonly input: Float32Array;
  /** [B, 4, h, w] output of the last run (the same array every step). */
  readonly output: Float32Array;
  ms = 0;
  calls = 0;
  private readonly half?: Uint16Array;
  private readonly slices: Slice[] = [];

  constructor(
    private readonly session: ort.InferenceSession,
    private readonly signature: UnetSignature,
    private readonly shape: UnetBatch,
  ) {
    const { batch, h, w, sequence, hiddenSize } = shape;
    const channels = signature.channels;
    const itemIn = channels * h * w;
    const itemOut = 4 * h * w;
    this.input = new Float32Array(batch * itemIn);
    this.output = new Float32Array(batch * itemOut);
    if (signature.sampleType === 'float16') this.half = new Uint16Array(this.input.length);
    const hidden16 = signature.hiddenType === 'float16' ? float32ToFloat16(shape.hidden) : undefined;
    const step = signature.fixedBatch ?? batch;
    if (batch % step !== 0) throw new Error(`The UNet takes batches of exactly ${step}, which does not divide ${batch}.`);
    for (let from = 0; from < batch; from += step) {
      const size = step;
      const sampleData = this.half ? this.half.subarray(from * itemIn, (from + size) * itemIn) : this.input.subarray(from * itemIn, (from + size) * itemIn);
      const hiddenItem = sequence * hiddenSize;
      const hiddenData = hidden16
        ? hidden16.subarray(from * hiddenItem, (from + size) * hiddenItem)
        : shape.hidden.subarray(from * hiddenItem, (from + size) * hiddenItem);
      const slice: Slice = {
        from,
        size,
        sample: new ort.Tensor(signature.sampleType, sampleData, [size, channels, h, w]),
        hidden: new ort.Tensor(signature.hiddenType, hiddenData, [size, sequence, hiddenSize]),
      };
      const cond = signature.timestepCond;
      if (cond && shape.timestepCond) {
        const repeated = new Float32Array(size * cond.dim);
        for (let i = 0; i < size; i++) repeated.set(shape.timestepCond, i * cond.dim);
        slice.cond = new ort.Tensor(cond.type, cond.type === 'float16' ? float32ToFloat16(repeated) : repeated, [size, cond.dim]);
      }
      // Preallocated output: onnxruntime-node writes into this view of `output` (float32 exports only).
      if (this.outputIsFloat32()) {
        slice.output = new ort.Tensor('float32', this.output.subarray(from * itemOut, (from + size) * itemOut), [size, 4, h, w]);
      }
      this.slices.push(slice);
    }
  }

  /** One UNet evaluation of the whole batch at train timestep `t`; returns `output`. */
  async run(t: number): Promise<Float32Array> {
    if (this.half) float32ToFloat16(this.input, this.half);
    const itemOut = 4 * this.shape.h * this.shape.w;
    for (const slice of this.slices) {
      const feeds: Record<string, ort.Tensor> = {
        [this.signature.sampleInput]: slice.sample,
        [this.signature.timestepInput]: timestepTensor(this.signature, t, slice.size),
        [this.signature.hiddenInput]: slice.hidden,
      };
      if (slice.cond && this.signature.timestepCond) feeds[this.signature.timestepCond.name] = slice.cond;
      const fetches = slice.output ? { [this.signature.output]: slice.output } : [this.signature.output];
      const start = performance.now();
      const result = await this.session.run(feeds, fetches);
      this.ms += performance.now() - start;
      this.calls++;
      const out = readFloats(result[this.signature.output], 'UNet output');
      if (out.length !== slice.size * itemOut) {
        throw new Error(`The UNet returned ${out.length} values for a batch of ${slice.size}, not ${slice.size * itemOut}.`);
      }
      // With a preallocated fetch the data is already in place; otherwise copy it in.
      if (out.buffer !== this.output.buffer) this.output.set(out, slice.from * itemOut);
    }
    return this.output;
  }

  private outputIsFloat32(): boolean {
    const meta = this.session.outputMetadata.find((m) => m.name === this.signature.output);
    return meta !== undefined && meta.isTensor && meta.type === 'float32';
  }
}
