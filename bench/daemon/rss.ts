import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../src/core/clock.js';
import { startBenchDaemon } from './bench-daemon.js';
import { summarizeRss, type RssSample, type RssSummary } from './rss-summary.js';

export interface DaemonRssOptions {
  /** Default 2,000 0B entries per second. */
  readonly tradesPerSecond?: number;
  readonly durationMs: number;
  /** Default 5 s. */
  readonly sampleEveryMs?: number;
  /** Growth and slopes are measured from here on. Default 60 s (minute 1). */
  readonly settleMs?: number;
  /** embedded (default, mode sim: the figures include the simulator) or a simulator process of its own. */
  readonly simulator?: 'embedded' | 'process';
}

export interface DaemonRssResult extends RssSummary {
  readonly tradesPerSecond: number;
  readonly durationMs: number;
  readonly samples: readonly RssSample[];
  /** Measured at the daemon's socket over the whole run. */
  readonly entriesPerSecond: number;
  readonly signals: number;
  readonly simDropped: number;
}

/**
 * RSS of a steady daemon run: the production config (config/default.json, its three strategies,
 * recording on) with the simulator at `tradesPerSecond`. By default the simulator lives in the same
 * process, so every figure includes it.
 */
export async function benchDaemonRss(options: DaemonRssOptions): Promise<DaemonRssResult> {
  const tradesPerSecond = options.tradesPerSecond ?? 2_000;
  const every = Math.max(1, options.sampleEveryMs ?? 5_000);
  const bench = await startBenchDaemon({ tradesPerSecond, seed: 'bench-rss', simulator: options.simulator ?? 'embedded' });
  const { daemon } = bench;
  try {
    const start = systemClock.now();
    const entries0 = daemon.connection.stats.entries;
    const samples: RssSample[] = [];
    const sample = (): void => {
      const m = process.memoryUsage();
      samples.push({ atMs: systemClock.now() - start, rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers });
    };
    sample();
    while (systemClock.now() - start < options.durationMs) {
      await sleep(Math.min(every, Math.max(1, options.durationMs - (systemClock.now() - start))));
      sample();
    }
    const elapsed = systemClock.now() - start;
    return {
      tradesPerSecond,
      durationMs: elapsed,
      samples,
      ...summarizeRss(samples, options.settleMs ?? 60_000),
      entriesPerSecond: ((daemon.connection.stats.entries - entries0) * 1000) / elapsed,
      signals: daemon.signalsCommitted(),
      simDropped: (await bench.simStats()).dropped,
    };
  } finally {
    await bench.close();
  }
}
