/**
 * Noise for a batch of variants that equals what each variant would draw alone. Variant i owns a
 * SeededRandom(variantSeed(seed, i)) stream: its initial latents come first, then any noise an
 * ancestral scheduler asks for. A batched scheduler asks for N * 4hw values at once; this source
 * hands part i to stream i, so a batched render and N single renders see identical noise.
 */
import type { GaussianSource } from '../core/random.js';

export class BatchNoise implements GaussianSource {
  constructor(private readonly streams: readonly GaussianSource[]) {}

  fill(out: Float32Array): Float32Array {
    const n = this.streams.length;
    if (out.length % n !== 0) throw new Error(`Batch noise of ${out.length} values does not split into ${n} variants.`);
    const part = out.length / n;
    this.streams.forEach((stream, i) => stream.fill(out.subarray(i * part, (i + 1) * part)));
    return out;
  }

  take(n: number): Float32Array {
    return this.fill(new Float32Array(n));
  }
}
