import { readFileSync } from 'node:fs';
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
  /** The pipeline (stream + book + 3 strategies) alone, events/s (median of runs). */
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

type EgressOn = { url: string; config: ReturnType<typeof busSchema.parse>['events'] } | null;

/**
 * The egress's cost on the pipeline and its own rate to a local redis-server: trades pushed in
 * turns of `chunk` events (the event loop runs between turns, as with socket frames), alternately
 * without and with the egress on the market stream; then the same pipeline offered a realistic
 * `pacedRate` events/s for `pacedSeconds` in real time, where the figure is the main thread's
 * event-loop utilisation with the egress beside the one without.
 */
export async function benchBusEgress(events = 200_000, runs = 3, chunk = 500, pacedRate = 5_000, pacedSeconds = 4): Promise<EgressBenchResult | null> {
  if (!hasRedis) return null;
  const server = await startRedis({ ownSession: true });
  try {
    const trades = makeTrades(events);
    const alone: number[] = [];
    const withEgress: number[] = [];
    const cpuAlone: number[] = [];
    const cpuWith: number[] = [];
    let last = { published: 0, dropped: 0, egressPerSecond: 0 };
    const configFor = (stream: string) => busSchema.parse({ events: { enabled: true, stream } }).events;
    for (let r = 0; r < runs; r++) {
      const base = await runPipeline(trades, chunk, null);
      alone.push(base.eventsPerSecond);
      if (base.threadCpuRate !== null) cpuAlone.push(base.threadCpuRate);
      const run = await runPipeline(trades, chunk, { url: server.url, config: configFor(`bench:market:${r}`) });
      withEgress.push(run.eventsPerSecond);
      if (run.threadCpuRate !== null) cpuWith.push(run.threadCpuRate);
      last = { published: run.published, dropped: run.dropped, egressPerSecond: run.egressPerSecond };
    }
    const a = median(alone);
    const b = median(withEgress);
    const pacedTrades = trades.slice(0, pacedRate * pacedSeconds);
    const pacedAlone = await runPaced(pacedTrades, pacedRate, null);
    const pacedWith = await runPaced(pacedTrades, pacedRate, { url: server.url, config: configFor('bench:market:paced') });
    const paced: PacedResult = { rate: pacedRate, events: pacedTrades.length, eluAlone: pacedAlone.elu, eluWithEgress: pacedWith.elu, published: pacedWith.published, dropped: pacedWith.dropped, drainMs: pacedWith.drainMs };
    const threadCpu = cpuAlone.length === runs && cpuWith.length === runs ? { threadCpuAlone: median(cpuAlone), threadCpuWithEgress: median(cpuWith) } : { threadCpuAlone: null, threadCpuWithEgress: null };
    return { events, pipelineAlone: a, pipelineWithEgress: b, ratio: b / a, ...threadCpu, ...last, paced };
  } finally {
    await server.stop();
  }
}

function startPipeline(trades: readonly TradeEvent[], egressOn: EgressOn) {
  const clock = createVirtualClock(trades[0]?.tsRecv ?? 0);
  const loaded = loadStrategies([{ id: 'program-momentum' }, { id: 'watchlist-breakout', params: { windowMinutes: 5 } }, { id: 'indicative-deviation' }], createRegistry(strategies));
  const host = createStrategyHost({ clock, book: createMarketBook(), sink: { write: () => undefined }, strategies: loaded, sessionId: 'bench', seed: 1 });
  const realtime$ = new Subject<RealtimeEvent>();
  const events$ = createMarketStream({ clock, calendar: alwaysOpenCalendar, realtime$, onUniverseDiff: () => {}, onError: () => {} });
  host.start();
  host.attach(events$);
  const egress = egressOn ? startEgress({ url: egressOn.url, config: egressOn.config, origin: 'bench', events$, clock: systemClock, log: silentLogger }) : null;
  return { host, realtime$, egress };
}

const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** Waits until the egress's worker is connected: one event through, acknowledged (it is not counted in the run). */
async function warmEgress(egress: Egress | null, realtime$: Subject<RealtimeEvent>, first: TradeEvent | undefined): Promise<void> {
  if (!egress || !first) return;
  const end = performance.now() + 5000;
  while (egress.stats().published === 0 && performance.now() < end) {
    if (egress.stats().queued === 0) realtime$.next(first);
    await new Promise((r) => setTimeout(r, 5));
  }
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

async function runPipeline(trades: readonly TradeEvent[], chunk: number, egressOn: EgressOn): Promise<{ eventsPerSecond: number; threadCpuRate: number | null; published: number; dropped: number; egressPerSecond: number }> {
  const { host, realtime$, egress } = startPipeline(trades, egressOn);
  await warmEgress(egress, realtime$, trades[0]);
  const before = egress?.stats() ?? { published: 0, dropped: 0 };
  const cpu0 = mainThreadCpuMs();
  const t0 = performance.now();
  for (let i = 0; i < trades.length; i += chunk) {
    for (let j = i; j < Math.min(trades.length, i + chunk); j++) realtime$.next(trades[j] as TradeEvent);
    await turn();
  }
  const pushedAt = performance.now();
  const cpu1 = mainThreadCpuMs();
  while (egress && egress.stats().queued > 0) await turn();
  const drainedAt = performance.now();
  host.stop();
  const stats = egress?.stats();
  await egress?.close();
  const threadCpuRate = cpu0 !== null && cpu1 !== null && cpu1 > cpu0 ? Math.round((trades.length / (cpu1 - cpu0)) * 1000) : null;
  const published = (stats?.published ?? 0) - before.published;
  // The pipeline's rate over wall time: the egress's subscriber runs inside each turn and its
  // hand-over to the worker between turns, on the same thread as it would live.
  return { eventsPerSecond: Math.round((trades.length / (pushedAt - t0)) * 1000), threadCpuRate, published, dropped: (stats?.dropped ?? 0) - before.dropped, egressPerSecond: stats ? Math.round((published / (drainedAt - t0)) * 1000) : 0 };
}

/** Offers `rate` events/s in real time (a tick every 10 ms); the figure is the main thread's event-loop utilisation. */
async function runPaced(trades: readonly TradeEvent[], rate: number, egressOn: EgressOn): Promise<{ elu: number; published: number; dropped: number; drainMs: number }> {
  const { host, realtime$, egress } = startPipeline(trades, egressOn);
  await warmEgress(egress, realtime$, trades[0]);
  const before = egress?.stats() ?? { published: 0, dropped: 0 };
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  for (let i = 0, tick = 1; i < trades.length; i += perTick, tick++) {
    for (let j = i; j < Math.min(trades.length, i + perTick); j++) realtime$.next(trades[j] as TradeEvent);
    const wait = t0 + tick * tickMs - performance.now();
    await (wait > 0 ? new Promise((r) => setTimeout(r, wait)) : turn());
  }
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const pushedAt = performance.now();
  while (egress && egress.stats().queued > 0) await turn();
  const drainMs = performance.now() - pushedAt;
  host.stop();
  const stats = egress?.stats();
  await egress?.close();
  return { elu, published: (stats?.published ?? 0) - before.published, dropped: (stats?.dropped ?? 0) - before.dropped, drainMs };
}

function makeTrades(total: number): TradeEvent[] {
  const random = createRandom('bench-bus');
  const start = kstToEpoch(2026, 1, 5, 9, 0, 0);
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
