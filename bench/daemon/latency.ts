import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../src/core/clock.js';
import { startBenchDaemon } from './bench-daemon.js';
import { summarizeLatency, type LatencySummary } from './latency-summary.js';
import { createMsHistogram } from './ms-histogram.js';
import { simStockCodes } from './sim-codes.js';

export interface DaemonLatencyOptions {
  /** The simulator's 0B entries per second. */
  readonly tradesPerSecond: number;
  /** At the target rate, before the measured window (JIT, subscriptions settling). Default 3 s. */
  readonly warmupMs?: number;
  /** The measured window: events whose frame arrived in it. Default 15 s. */
  readonly durationMs?: number;
  /** Waited after the window so its last signals can commit. Default 1 s. */
  readonly drainMs?: number;
  /** The simulator's listing size. Default 2,500. */
  readonly stocks?: number;
  /** Listed stocks added to the universe (config `universe.extraSymbols`). Default 2,000. */
  readonly symbols?: number;
  /** indicative-deviation's threshold: low, so most 0A entries fire. Default 0.01 %. */
  readonly thresholdPct?: number;
  /** embedded (default, mode sim) or a simulator process of its own (see startBenchDaemon). */
  readonly simulator?: 'embedded' | 'process';
  /** Notifications on, to a webhook that answers each request after this long (issue 15's slow sink). */
  readonly slowSinkMs?: number;
  /** Return every frame-to-signal-committed sample (ms), so rounds can be pooled (notify-ab.ts). */
  readonly keepSamples?: boolean;
}

export interface DaemonLatencyResult {
  readonly tradesPerSecond: number;
  readonly simulator: 'embedded' | 'process';
  readonly durationMs: number;
  /** Frame arrival (tsRecv, stamped at the socket's 'message') -> the store reports the signal committed. */
  readonly signal: LatencySummary;
  /** Frame arrival -> the event reaches a second subscriber of kernel.stream$ (after the strategy host's). */
  readonly stream: LatencySummary;
  /** Signals of the window whose commit was not seen within the drain. */
  readonly uncommitted: number;
  readonly signalsByStrategy: Readonly<Record<string, number>>;
  /** Measured at the daemon's socket over the window. */
  readonly framesPerSecond: number;
  readonly entriesPerSecond: number;
  readonly decodeErrors: number;
  /** Wanted item/type pairs at the end of the window. */
  readonly wantedPairs: number;
  /** Event-loop delay over the window (ms, 1 ms resolution): time a frame may sit unread before tsRecv. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  /** The simulator's generation lag at worst and entries it dropped (a slow reader). */
  readonly simMaxBehindMs: number;
  readonly simDropped: number;
  /** With a slow sink: requests it received and outbox rows still pending at the end. */
  readonly sink?: { readonly requests: number; readonly pending: number; readonly delivered: number };
  /** With keepSamples: the frame-to-signal-committed samples in ms. */
  readonly signalSamples?: readonly number[];
}

/**
 * Frame-to-signal latency of the real daemon composition at one simulator rate. Both ends are the
 * system clock in ms (tsRecv is `clock.now()` at the socket; the commit time is `clock.now()` in
 * the store's onCommitted listener), so figures have 1 ms resolution.
 */
export async function benchDaemonLatency(options: DaemonLatencyOptions): Promise<DaemonLatencyResult> {
  const warmupMs = options.warmupMs ?? 3_000;
  const durationMs = options.durationMs ?? 15_000;
  const drainMs = options.drainMs ?? 1_000;
  const stocks = options.stocks ?? 2_500;
  const seed = 'bench-latency';
  const codes = (await simStockCodes(seed, stocks)).slice(0, options.symbols ?? 2_000);
  const simulator = options.simulator ?? 'embedded';
  const sink = options.slowSinkMs === undefined ? null : await startSlowSink(options.slowSinkMs);
  const bench = await startBenchDaemon({
    ...(sink ? { env: { KRX_WEBHOOK_URL: `${sink.url}/hook`, KRX_WEBHOOK_HMAC_KEY: 'bench-hmac-key' } } : {}),
    tradesPerSecond: options.tradesPerSecond,
    seed,
    stocks,
    simulator,
    overrides: {
      universe: { extraSymbols: codes },
      // Frame-driven strategies only: program-momentum fires on 30 s ranking polls, not frames.
      strategies: [
        { id: 'indicative-deviation', params: { thresholdPct: options.thresholdPct ?? 0.01 } },
        { id: 'watchlist-breakout', params: { windowMinutes: 2, volumeFactor: 1.5 } },
      ],
      ...(sink ? { notify: { sinks: [{ type: 'webhook', name: 'slow', batchMax: 50, requestTimeoutMs: sink.delayMs * 2 }] } } : {}),
    },
  });
  const { daemon } = bench;
  try {
    const commitAt = new Map<string, number>();
    const stopListening = daemon.store.onCommitted((signals) => {
      const now = systemClock.now();
      for (const s of signals) commitAt.set(s.id, now);
    });
    const stream = createMsHistogram();
    let windowStart = Number.POSITIVE_INFINITY;
    let windowEnd = Number.POSITIVE_INFINITY;
    const sub = daemon.kernel.stream$.subscribe((e) => {
      if (e.kind === 'ranking' || e.kind === 'watchlist') return;
      if (e.tsRecv >= windowStart && e.tsRecv < windowEnd) stream.record(systemClock.now() - e.tsRecv);
    });
    await sleep(warmupMs);

    const loop = monitorEventLoopDelay({ resolution: 1 });
    const stats = daemon.connection.stats;
    const before = { frames: stats.frames, entries: stats.entries, decodeErrors: stats.decodeErrors };
    windowStart = systemClock.now();
    windowEnd = windowStart + durationMs;
    loop.enable();
    await sleep(durationMs);
    loop.disable();
    const after = { frames: stats.frames, entries: stats.entries, decodeErrors: stats.decodeErrors };
    const wantedPairs = daemon.connection.subscriptions.wantedCount;
    await sleep(drainMs);
    sub.unsubscribe();
    stopListening();

    const rows = daemon.store.database
      .prepare('SELECT id, strategy, ts_recv AS tsRecv FROM signals WHERE session_id = ? AND ts_recv >= ? AND ts_recv < ?')
      .all(daemon.sessionId, windowStart, windowEnd) as { id: string; strategy: string; tsRecv: number }[];
    const signal = createMsHistogram();
    const byStrategy: Record<string, number> = {};
    const samples: number[] = [];
    let uncommitted = 0;
    for (const r of rows) {
      byStrategy[r.strategy] = (byStrategy[r.strategy] ?? 0) + 1;
      const at = commitAt.get(r.id);
      if (at === undefined) uncommitted++;
      else {
        signal.record(at - r.tsRecv);
        if (options.keepSamples) samples.push(at - r.tsRecv);
      }
    }
    const sim = await bench.simStats();
    const slow = sink ? daemon.notify?.notifier.status()[0] : undefined;
    return {
      ...(sink && slow ? { sink: { requests: sink.requests(), pending: slow.depth, delivered: slow.delivered } } : {}),
      ...(options.keepSamples ? { signalSamples: samples } : {}),
      tradesPerSecond: options.tradesPerSecond,
      simulator,
      durationMs,
      signal: summarizeLatency(signal),
      stream: summarizeLatency(stream),
      uncommitted,
      signalsByStrategy: byStrategy,
      framesPerSecond: ((after.frames - before.frames) * 1000) / durationMs,
      entriesPerSecond: ((after.entries - before.entries) * 1000) / durationMs,
      decodeErrors: after.decodeErrors - before.decodeErrors,
      wantedPairs,
      loopDelayP99Ms: loop.count > 0 ? loop.percentile(99) / 1e6 : 0,
      loopDelayMaxMs: loop.count > 0 ? loop.max / 1e6 : 0,
      simMaxBehindMs: sim.maxBehindMs,
      simDropped: sim.dropped,
    };
  } finally {
    await bench.close();
    await sink?.close();
  }
}

/** A webhook receiver that answers every request after `delayMs` (a chat service having a bad day). */
async function startSlowSink(delayMs: number): Promise<{ url: string; delayMs: number; requests(): number; close(): Promise<void> }> {
  let requests = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      const t = setTimeout(() => {
        timers.delete(t);
        res.writeHead(200).end('{}');
      }, delayMs);
      timers.add(t);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    delayMs,
    requests: () => requests,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
