/**
 * How late this process's event loop runs timers, from perf_hooks.monitorEventLoopDelay: the figure
 * that says whether the bot can still answer Discord in time. A handler that computes for 200 ms adds
 * 200 ms to every other member's acknowledgement; a healthy bot stays in the low milliseconds.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface LoopLagFigures {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Samples behind the figures (one per `resolutionMs` of loop time). */
  samples: number;
}

export interface LoopLagWatch {
  /** Figures since the watch started (or since the last reset). */
  figures(): LoopLagFigures;
  reset(): void;
  stop(): void;
}

/** Starts sampling the loop's delay every `resolutionMs` (default 10 ms). */
export function watchEventLoopLag(resolutionMs = 10): LoopLagWatch {
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  // The histogram records the time between samples, the resolution included (an idle loop reads
  // about 10.1 ms at 10 ms): the lag is what exceeds the resolution.
  const ms = (ns: number) => Math.round(Math.max(0, ns / 1e6 - resolutionMs) * 10) / 10;
  return {
    figures: () => ({ p50Ms: ms(histogram.percentile(50)), p99Ms: ms(histogram.percentile(99)), maxMs: ms(histogram.max), samples: histogram.count }),
    reset: () => histogram.reset(),
    stop: () => histogram.disable(),
  };
}
