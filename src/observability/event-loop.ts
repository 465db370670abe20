import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Event-loop delay over the last window, in seconds. */
export interface EventLoopLag {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export interface EventLoopMonitor {
  /** The current window, or the last complete one while the current has no samples yet. */
  lag(): EventLoopLag;
  stop(): void;
}

export interface EventLoopMonitorOptions {
  /** Sampling resolution (ms). */
  readonly resolutionMs?: number;
  /** The histogram restarts every window so the figures describe recent behaviour. */
  readonly windowMs?: number;
}

const ZERO: EventLoopLag = { p50: 0, p99: 0, max: 0, mean: 0 };

/**
 * Measures event-loop lag with `perf_hooks.monitorEventLoopDelay`. Observability is not
 * deterministic code: it runs on the real loop and real timers, and its timer never keeps the
 * process alive.
 */
export function startEventLoopMonitor(options: EventLoopMonitorOptions = {}): EventLoopMonitor {
  const resolutionMs = Math.max(1, options.resolutionMs ?? 20);
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  let last = ZERO;
  let stopped = false;
  const window = setInterval(() => {
    if (histogram.count > 0) last = read(histogram, resolutionMs);
    histogram.reset();
  }, Math.max(1000, options.windowMs ?? 60_000));
  window.unref();
  return {
    lag: () => (!stopped && histogram.count > 0 ? read(histogram, resolutionMs) : last),
    stop: () => {
      if (stopped) return;
      stopped = true;
      if (histogram.count > 0) last = read(histogram, resolutionMs);
      clearInterval(window);
      histogram.disable();
    },
  };
}

/**
 * The histogram records the time between its timer's callbacks, which includes the sampling
 * interval itself (an idle loop reads 20 ms at a 20 ms resolution): the lag is what is left over.
 */
function read(h: IntervalHistogram, resolutionMs: number): EventLoopLag {
  const interval = resolutionMs * 1e6;
  const s = (ns: number): number => (Number.isFinite(ns) && ns > interval ? (ns - interval) / 1e9 : 0);
  return { p50: s(h.percentile(50)), p99: s(h.percentile(99)), max: s(h.max), mean: s(h.mean) };
}
