/**
 * Which training timesteps an N-step run visits, computed exactly as diffusers does with numpy
 * (diffusers' "timestep_spacing", see "Common Diffusion Noise Schedules and Sample Steps are Flawed",
 * Lin et al. 2023, Table 2, for why the three spacings exist):
 *
 *   leading:  ratio = T // N;  t = (arange(N) * ratio)[::-1] + steps_offset
 *   trailing: t = round(arange(T, 0, -T / N)) - 1
 *   linspace: t = linspace(0, T - 1, N)[::-1]          (rounded for DDIM/PNDM, float for Euler)
 *
 * numpy rounds halves to even (np.round), which differs from Math.round for e.g. 812.5, so we use
 * roundHalfEven. One deliberate difference: numpy's arange(T, 0, -T/N) yields N + 1 values for some
 * N (61, 103, 121, ...) because T / (T/N) rounds up past N; diffusers then gets a spurious last
 * timestep -1. We keep exactly N values.
 *
 * | code | paper / diffusers       |
 * | ---- | ----------------------- |
 * | T    | num_train_timesteps     |
 * | N    | num_inference_steps     |
 */

export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';

/** numpy's np.round: nearest integer, ties to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round sends x.5 up; numpy sends it to the even neighbour.
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** numpy linspace(start, stop, n) (endpoint included; [start] when n === 1). */
export function linspace(start: number, stop: number, n: number): number[] {
  if (n === 1) return [start];
  const step = (stop - start) / (n - 1);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(i * step + start);
  out[n - 1] = stop;
  return out;
}

/** numpy arange(start, stop, step) values, capped at `maxCount` (see the note on trailing above). */
export function arange(start: number, stop: number, step: number, maxCount = Infinity): number[] {
  const n = Math.min(Math.max(Math.ceil((stop - start) / step), 0), maxCount);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(start + i * step);
  return out;
}

export interface SpacingOptions {
  spacing: TimestepSpacing;
  numInferenceSteps: number;
  numTrainTimesteps: number;
  stepsOffset: number;
  /** false keeps linspace values fractional (float32), as Euler-type schedulers do. */
  roundLinspace: boolean;
}

/**
 * Timesteps in sampling order (descending), as DDIM / Euler / LCM-free schedulers compute them.
 * Example: leading, N = 50, T = 1000, offset 1 -> [981, 961, ..., 1].
 */
export function spacedTimesteps(o: SpacingOptions): number[] {
  const N = o.numInferenceSteps;
  const T = o.numTrainTimesteps;
  assertSteps(N, T);
  switch (o.spacing) {
    case 'leading': {
      const ratio = Math.floor(T / N);
      return arange(0, N, 1).map((i) => i * ratio + o.stepsOffset).reverse();
    }
    case 'trailing':
      return arange(T, 0, -T / N, N).map((t) => roundHalfEven(t) - 1);
    case 'linspace': {
      const t = linspace(0, T - 1, N).reverse();
      return o.roundLinspace ? t.map(roundHalfEven) : t.map((v) => Math.fround(v));
    }
    default:
      throw new Error(`timestepSpacing ${String(o.spacing)} is not supported`);
  }
}

/** Throws a clear error for a step count no schedule can serve. */
export function assertSteps(numInferenceSteps: number, numTrainTimesteps: number): void {
  if (!Number.isInteger(numInferenceSteps) || numInferenceSteps < 1) {
    throw new Error(`numInferenceSteps ${numInferenceSteps} must be a positive integer`);
  }
  if (numInferenceSteps > numTrainTimesteps) {
    throw new Error(
      `numInferenceSteps ${numInferenceSteps} cannot exceed numTrainTimesteps ${numTrainTimesteps}`,
    );
  }
}
