import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Subject } from 'rxjs';
import { startEgress, type Egress } from '../../src/app/bus/egress.js';
import { busSchema } from '../../src/config/bus-schema.js';
import { alwaysOpenCalendar } from '../../src/core/calendar.js';
import { systemClock } from '../../src/core/clock.js';
import { kstToEpoch } from '../../src/core/kst.js';
import { silentLogger } from '../../src/core/logger.js';
import type { RealtimeEvent, TradeEvent } from '../../src/core/market.js';
import { createRandom } from '../../src/core/random.js';
import { createVirtualClock } from '../../src/core/virtual-clock.js';
import { createStrategyHost } from '../../src/engine/host.js';
import { loadStrategies } from '../../src/engine/load-strategies.js';
import { createRegistry } from '../../src/engine/registry.js';
import { createMarketBook } from '../../src/pipeline/market-book.js';
import { createMarketStream } from '../../src/pipeline/market-stream.js';
import { strategies } from '../../strategies/index.js';
import { hasRedis, startRedis } from '../../test/support/bus/redis-server.js';
import { median } from '../stats.js';

export interface EgressBenchResult {
  readonly events: number;
  readonly pairs: number;
  /** Each pair's rate with the egress over its rate without. */
  readonly ratios: readonly number[];
  /** The pipeline (stream + book + 3 strategies) alone, events/s (median of runs); `ratio` is the median of the pairs' ratios. */
  readonly pipelineAlone: number;
  /** The same with the egress subscribed beside the host. */
  readonly pipelineWithEgress: number;
  readonly ratio: number;
  /**
   * The same two figures on the pipeline thread's own CPU time (events per CPU second of the main
   * thread, from /proc; null elsewhere): what the egress costs that thread, apart from the worker
   * and redis-server taking cores from it on a busy machine.
   */
  readonly threadCpuAlone: number | null;
  readonly threadCpuWithEgress: number | null;
  /** Envelopes Redis acknowledged per second, from the first push to the drained queue. */
  readonly egressPerSecond: number;
  readonly published: number;
  readonly dropped: number;
  /** The same pipeline offered `paced.rate` events/s in real time, with and without the egress. */
  readonly paced: PacedResult;
}

export interface PacedResult {
  readonly rate: number;
  readonly events: number;
  /** The main thread's event-loop utilisation over the paced run (1 = always busy). */
  readonly eluAlone: number;
  readonly eluWithEgress: number;
  readonly published: number;
  readonly dropped: number;
  /** From the last push to the egress's queue empty (every envelope acknowledged by Redis). */
  readonly drainMs: number;
}

/** One side's figures from its own process (egress-side.ts): medians over its measured runs. */
export interface EgressSide {
  readonly eventsPerSecond: number;
  readonly threadCpuRate: number | null;
  readonly published: number;
  readonly dropped: number;
  readonly egressPerSecond: number;
}

/**
 * One side of the comparison, in the calling process: `url` null = the pipeline alone, else with
 * one egress to that Redis living through all runs, as through a daemon's session (its worker
 * started, its connection open, its code warm), fed each run's market stream. Every run has a
 * fresh pipeline (stream + book + 3 strategies); trades go in turns of `chunk` events (the event
 * loop runs between turns, as with socket frames). `warmup` runs, then the median of `runs`.
 */
export async function benchEgressSide(url: string | null, events = 500_000, chunk = 500, warmup = 2, runs = 5): Promise<EgressSide> {
  // One pipeline through all runs, as through a daemon's session; each run's trades a day later.
  const first = makeTrades(events, 0);
  const clock = createVirtualClock(first[0]?.tsRecv ?? 0);
  const pipeline = startPipeline(clock);
  // The egress subscribes to the pipeline's stream itself, as the daemon's does (daemon-bus.ts).
  const egress = url === null ? null : startEgress({ url, config: busSchema.parse({ events: { enabled: true, stream: 'bench:market' } }).events, origin: 'bench', events$: pipeline.events$, clock: systemClock, log: silentLogger });
  try {
    if (egress) await warmEgress(egress, pipeline.realtime$, first[0]);
    const measured = [];
    for (let i = 0; i < warmup + runs; i++) {
      const trades = i === 0 ? first : makeTrades(events, i);
      // Each run starts on a collected heap (the side runs with --expose-gc): the last run's trades,
      // now garbage, would otherwise be collected inside whichever run a major GC falls in.
      (globalThis as { gc?: () => void }).gc?.();
      const run = await runPipeline(pipeline, trades, chunk, egress);
      if (i >= warmup) measured.push(run);
    }
    pipeline.host.stop();
    const cpu = measured.map((m) => m.threadCpuRate).filter((x): x is number => x !== null);
    return {
      eventsPerSecond: median(measured.map((m) => m.eventsPerSecond)),
      threadCpuRate: cpu.length === runs ? median(cpu) : null,
      published: median(measured.map((m) => m.published)),
      dropped: median(measured.map((m) => m.dropped)),
      egressPerSecond: median(measured.map((m) => m.egressPerSecond)),
    };
  } finally {
    await egress?.close();
  }
}

/** Runs one side in a fresh process (bench/bus/egress-side.ts), so each side's code is shaped by its own runs only. */
function sideInChild(url: string | null): Promise<EgressSide> {
  const file = fileURLToPath(new URL('./egress-side.js', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', file, url ?? 'off'], { maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(JSON.parse(stdout) as EgressSide);
    });
  });
}

/**
 * The egress's cost on the pipeline and its own rate to a local redis-server in its own session.
 * Each side runs in its own process, as two daemons would (one with the bus configured, one
 * without): within one process, runs alternating between one and two subscribers on the stream
 * would keep re-shaping the shared code and measure that instead. `pairs` pairs of processes in the
 * order A B B A A B ... (A = without): the machine's load moves between them, and neither side
 * always runs first; the ratio is the median of the pairs' ratios. Then the pipeline is offered a
 * realistic `pacedRate` events/s for `pacedSeconds` in real time, where the figure is the main
 * thread's event-loop utilisation with the egress beside the one without.
 */
export async function benchBusEgress(events = 500_000, pairs = 3, pacedRate = 5_000, pacedSeconds = 4): Promise<EgressBenchResult | null> {
  if (!hasRedis) return null;
  const server = await startRedis({ ownSession: true });
  try {
    const alone: EgressSide[] = [];
    const withEgress: EgressSide[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < pairs; r++) {
      const order = r % 2 === 0 ? [false, true] : [true, false];
      const got = new Map<boolean, EgressSide>();
      for (const on of order) got.set(on, await sideInChild(on ? server.url : null));
      alone.push(got.get(false)!);
      withEgress.push(got.get(true)!);
      ratios.push(got.get(true)!.eventsPerSecond / got.get(false)!.eventsPerSecond);
    }
    const cpuAlone = alone.map((a) => a.threadCpuRate).filter((x): x is number => x !== null);
    const cpuWith = withEgress.map((a) => a.threadCpuRate).filter((x): x is number => x !== null);
    const threadCpu = cpuAlone.length === pairs && cpuWith.length === pairs ? { threadCpuAlone: median(cpuAlone), threadCpuWithEgress: median(cpuWith) } : { threadCpuAlone: null, threadCpuWithEgress: null };

    const pacedTrades = makeTrades(pacedRate * pacedSeconds, 0);
    const pacedAlone = await runPaced(pacedTrades, pacedRate, null);
    const pacedWith = await runPaced(pacedTrades, pacedRate, server.url);
    const paced: PacedResult = { rate: pacedRate, events: pacedTrades.length, eluAlone: pacedAlone.elu, eluWithEgress: pacedWith.elu, published: pacedWith.published, dropped: pacedWith.dropped, drainMs: pacedWith.drainMs };
    return {
      events,
      pairs,
      pipelineAlone: median(alone.map((a) => a.eventsPerSecond)),
      pipelineWithEgress: median(withEgress.map((a) => a.eventsPerSecond)),
      ratio: median(ratios),
      ratios,
      ...threadCpu,
      published: median(withEgress.map((a) => a.published)),
      dropped: median(withEgress.map((a) => a.dropped)),
      egressPerSecond: median(withEgress.map((a) => a.egressPerSecond)),
      paced,
    };
  } finally {
    await server.stop();
  }
}

function startPipeline(clock: ReturnType<typeof createVirtualClock>) {
  const loaded = loadStrategies([{ id: 'program-momentum' }, { id: 'watchlist-breakout', params: { windowMinutes: 5 } }, { id: 'indicative-deviation' }], createRegistry(strategies));
  const host = createStrategyHost({ clock, book: createMarketBook(), sink: { write: () => undefined }, strategies: loaded, sessionId: 'bench', seed: 1 });
  const realtime$ = new Subject<RealtimeEvent>();
  const events$ = createMarketStream({ clock, calendar: alwaysOpenCalendar, realtime$, onUniverseDiff: () => {}, onError: () => {} });
  host.start();
  host.attach(events$);
  return { host, realtime$, events$ };
}
type Pipeline = ReturnType<typeof startPipeline>;

const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** Waits until the egress's worker is connected: one event through, acknowledged (before the runs). */
async function warmEgress(egress: Egress, realtime$: Subject<RealtimeEvent>, first: TradeEvent | undefined): Promise<void> {
  if (!first) return;
  const end = performance.now() + 5000;
  while (egress.stats().published === 0 && performance.now() < end) {
    if (egress.stats().queued === 0) realtime$.next(first);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Until the egress has nothing queued (every envelope acknowledged or dropped). */
async function drained(egress: Egress | null): Promise<void> {
  while (egress && egress.stats().queued > 0) await new Promise((r) => setTimeout(r, 1));
}

/** CPU milliseconds the main thread has used (Linux: /proc/self/task/<pid>/stat, in 10 ms ticks); null elsewhere. */
function mainThreadCpuMs(): number | null {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    return Number.isFinite(ticks) ? ticks * 10 : null;
  } catch {
    return null;
  }
}

async function runPipeline(pipeline: Pipeline, trades: readonly TradeEvent[], chunk: number, egress: Egress | null): Promise<{ eventsPerSecond: number; threadCpuRate: number | null; published: number; dropped: number; egressPerSecond: number }> {
  await drained(egress);
  const { realtime$ } = pipeline;
  const before = egress?.stats() ?? { published: 0, dropped: 0 };
  const cpu0 = mainThreadCpuMs();
  const t0 = performance.now();
  for (let i = 0; i < trades.length; i += chunk) {
    for (let j = i; j < Math.min(trades.length, i + chunk); j++) realtime$.next(trades[j] as TradeEvent);
    await turn();
  }
  const pushedAt = performance.now();
  const cpu1 = mainThreadCpuMs();
  await drained(egress);
  const drainedAt = performance.now();
  const stats = egress?.stats();
  const threadCpuRate = cpu0 !== null && cpu1 !== null && cpu1 > cpu0 ? Math.round((trades.length / (cpu1 - cpu0)) * 1000) : null;
  const published = (stats?.published ?? 0) - before.published;
  // The pipeline's rate over wall time: the egress's subscriber runs inside each turn and its
  // hand-over to the worker between turns, on the same thread as it would live.
  return { eventsPerSecond: Math.round((trades.length / (pushedAt - t0)) * 1000), threadCpuRate, published, dropped: (stats?.dropped ?? 0) - before.dropped, egressPerSecond: stats ? Math.round((published / (drainedAt - t0)) * 1000) : 0 };
}

/** Offers `rate` events/s in real time (a tick every 10 ms) to a fresh pipeline, with an egress to `url` or none; the figure is the main thread's event-loop utilisation. */
async function runPaced(trades: readonly TradeEvent[], rate: number, url: string | null): Promise<{ elu: number; published: number; dropped: number; drainMs: number }> {
  const pipeline = startPipeline(createVirtualClock(trades[0]?.tsRecv ?? 0));
  const egress = url === null ? null : startEgress({ url, config: busSchema.parse({ events: { enabled: true, stream: 'bench:paced' } }).events, origin: 'bench', events$: pipeline.events$, clock: systemClock, log: silentLogger });
  try {
    if (egress) await warmEgress(egress, pipeline.realtime$, trades[0]);
    const before = egress?.stats() ?? { published: 0, dropped: 0 };
    const tickMs = 10;
    const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    for (let i = 0, tick = 1; i < trades.length; i += perTick, tick++) {
      for (let j = i; j < Math.min(trades.length, i + perTick); j++) pipeline.realtime$.next(trades[j] as TradeEvent);
      const wait = t0 + tick * tickMs - performance.now();
      await (wait > 0 ? new Promise((r) => setTimeout(r, wait)) : turn());
    }
    const elu = performance.eventLoopUtilization(elu0).utilization;
    const pushedAt = performance.now();
    await drained(egress);
    const drainMs = performance.now() - pushedAt;
    const stats = egress?.stats();
    pipeline.host.stop();
    return { elu, published: (stats?.published ?? 0) - before.published, dropped: (stats?.dropped ?? 0) - before.dropped, drainMs };
  } finally {
    await egress?.close();
  }
}

/** `total` trades of 100 symbols from 09:00 KST on the bench's day + `day` (the same prices each day). */
function makeTrades(total: number, day: number): TradeEvent[] {
  const random = createRandom('bench-bus');
  const start = kstToEpoch(2026, 1, 5, 9, 0, 0) + day * 86_400_000;
  const symbols = Array.from({ length: 100 }, (_, i) => String(100_000 + i * 10).padStart(6, '0'));
  const price = symbols.map(() => 10_000 + random.int(90_000));
  const out: TradeEvent[] = [];
  for (let i = 0; i < total; i++) {
    const k = random.int(symbols.length);
    const p = Math.max(100, Math.round((price[k] as number) * (1 + random.normal() * 0.002)));
    price[k] = p;
    const ts = start + i * 5;
    out.push({ kind: 'trade', symbol: symbols[k] as string, venue: 'KRX', price: p, change: 0, changeRate: 0, sign: 2, cumVolume: i, cumValue: 0, open: p, high: p, low: p, ask: p + 10, bid: p, volume: 1 + random.int(200), side: 'buy', strength: null, tradeVenue: 'KRX', sessionCode: '2', tsEvent: ts, tsRecv: ts });
  }
  return out;
}
