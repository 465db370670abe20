import { Subject } from 'rxjs';
import { createRedisStreamsBus } from '../../src/adapters/bus/redis-streams.js';
import { startEgress } from '../../src/app/bus/egress.js';
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
  /** Envelopes Redis acknowledged per second, from the first push to the drained queue. */
  readonly egressPerSecond: number;
  readonly published: number;
  readonly dropped: number;
}

/**
 * The egress's cost on the pipeline and its own rate to a local redis-server: trades pushed in
 * turns of `chunk` events (the event loop runs between turns, as with socket frames), once without
 * and once with the egress on the market stream.
 */
export async function benchBusEgress(events = 200_000, runs = 3, chunk = 500): Promise<EgressBenchResult | null> {
  if (!hasRedis) return null;
  const server = await startRedis();
  const bus = createRedisStreamsBus({ url: server.url });
  try {
    for (let i = 0; i < 200 && !bus.status().connected; i++) await new Promise((r) => setTimeout(r, 10));
    const trades = makeTrades(events);
    const alone: number[] = [];
    const withEgress: number[] = [];
    let last = { published: 0, dropped: 0, egressPerSecond: 0 };
    for (let r = 0; r < runs; r++) {
      alone.push((await runPipeline(trades, chunk, null)).eventsPerSecond);
      const config = busSchema.parse({ events: { enabled: true, stream: `bench:market:${r}` } }).events;
      const run = await runPipeline(trades, chunk, { bus, config });
      withEgress.push(run.eventsPerSecond);
      last = { published: run.published, dropped: run.dropped, egressPerSecond: run.egressPerSecond };
    }
    const a = median(alone);
    const b = median(withEgress);
    return { events, pipelineAlone: a, pipelineWithEgress: b, ratio: b / a, ...last };
  } finally {
    await bus.close();
    await server.stop();
  }
}

async function runPipeline(
  trades: readonly TradeEvent[],
  chunk: number,
  egressOn: { bus: ReturnType<typeof createRedisStreamsBus>; config: ReturnType<typeof busSchema.parse>['events'] } | null,
): Promise<{ eventsPerSecond: number; published: number; dropped: number; egressPerSecond: number }> {
  const clock = createVirtualClock(trades[0]?.tsRecv ?? 0);
  const loaded = loadStrategies([{ id: 'program-momentum' }, { id: 'watchlist-breakout', params: { windowMinutes: 5 } }, { id: 'indicative-deviation' }], createRegistry(strategies));
  const host = createStrategyHost({ clock, book: createMarketBook(), sink: { write: () => undefined }, strategies: loaded, sessionId: 'bench', seed: 1 });
  const realtime$ = new Subject<RealtimeEvent>();
  const events$ = createMarketStream({ clock, calendar: alwaysOpenCalendar, realtime$, onUniverseDiff: () => {}, onError: () => {} });
  host.start();
  host.attach(events$);
  const egress = egressOn ? startEgress({ bus: egressOn.bus, config: egressOn.config, origin: 'bench', events$, clock: systemClock, log: silentLogger }) : null;
  const t0 = performance.now();
  let busy = 0;
  for (let i = 0; i < trades.length; i += chunk) {
    const s = performance.now();
    for (let j = i; j < Math.min(trades.length, i + chunk); j++) realtime$.next(trades[j] as TradeEvent);
    busy += performance.now() - s;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const pushedAt = performance.now();
  while (egress && egress.stats().queued > 0) await new Promise<void>((resolve) => setImmediate(resolve));
  const drainedAt = performance.now();
  host.stop();
  const stats = egress?.stats();
  await egress?.close();
  void busy;
  // The pipeline's rate over wall time: the egress's subscriber runs inside each turn and its drain
  // (XADD batches, replies) between turns, competing for the same thread as it would live.
  return { eventsPerSecond: Math.round((trades.length / (pushedAt - t0)) * 1000), published: stats?.published ?? 0, dropped: stats?.dropped ?? 0, egressPerSecond: stats ? Math.round((stats.published / (drainedAt - t0)) * 1000) : 0 };
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
