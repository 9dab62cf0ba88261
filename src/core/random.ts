/**
 * Seeded randomness for renders. Same seed -> same noise on every machine, so a draft can be
 * reproduced byte for byte and variants can be re-rolled one at a time.
 *
 * The generator is SplitMix32-seeded xoshiro128** (Blackman & Vigna 2018): small, fast, and its
 * output does not depend on the JS engine. Gaussians come from the Box-Muller transform; both values
 * of each pair are used so the stream is reproducible regardless of how callers slice it.
 */

/** A deterministic source of standard-normal samples. */
export interface GaussianSource {
  /** Fills `out` with N(0, 1) samples and returns it. */
  fill(out: Float32Array): Float32Array;
  /** Returns a new array of `n` N(0, 1) samples. */
  take(n: number): Float32Array;
}

/** Uniform [0, 1) generator: xoshiro128** seeded through SplitMix32. */
export class SeededRandom implements GaussianSource {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  constructor(seed: number) {
    let x = (seed >>> 0) ^ Math.floor(seed / 0x1_0000_0000);
    const next = () => {
      // SplitMix32: spreads one 32-bit seed over the 128-bit state.
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** Next 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** One N(0, 1) sample (Box-Muller, polar-free form). */
  nextGaussian(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = this.nextFloat();
    while (u <= Number.EPSILON) u = this.nextFloat();
    const v = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  fill(out: Float32Array): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.nextGaussian();
    return out;
  }

  take(n: number): Float32Array {
    return this.fill(new Float32Array(n));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Seed of variant `index` in a draft whose base seed is `seed`. Variants get their own, spread-out
 * seeds so "Variations 3" can re-render variant 3 alone with the same noise. Variant 0 keeps `seed`.
 */
export function variantSeed(seed: number, index: number): number {
  return ((seed >>> 0) + Math.imul(index, 0x9e3779b1)) >>> 0;
}
