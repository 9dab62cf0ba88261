/**
 * Time and ids for the fake Discord: a clock tests can move forward (to expire interaction tokens without
 * sleeping) and a snowflake source whose ids carry that clock's timestamp, like Discord's own ids.
 */

/** Discord's epoch (2015-01-01T00:00:00Z) in milliseconds; snowflakes count from here. */
const DISCORD_EPOCH = 1_420_070_400_000n;

/** A wall clock with an adjustable offset. `advance(ms)` simulates the passing of time. */
export class FakeClock {
  private offsetMs = 0;

  constructor(private readonly base: () => number = Date.now) {}

  now(): number {
    return this.base() + this.offsetMs;
  }

  /** Moves the clock forward, e.g. `clock.advance(3_001)` to make an interaction miss its deadline. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance(ms): ms ${ms} must be >= 0`);
    this.offsetMs += ms;
  }

  iso(): string {
    return new Date(this.now()).toISOString();
  }
}

/** Snowflake ids as decimal strings: 42 bits of timestamp, then worker/process bits and an increment. */
export class SnowflakeSource {
  private increment = 0n;
  private last = 0n;

  constructor(private readonly clock: FakeClock) {}

  next(): string {
    const stamp = BigInt(Math.floor(this.clock.now())) - DISCORD_EPOCH;
    let id = (stamp << 22n) | (1n << 17n) | (this.increment++ & 0xfffn);
    if (id <= this.last) id = this.last + 1n;
    this.last = id;
    return id.toString();
  }
}

/** The creation time encoded in a snowflake, in epoch milliseconds. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}
