import { Subject } from 'rxjs';
import { alwaysOpenCalendar } from '../../src/core/calendar.js';
import { kstToEpoch } from '../../src/core/kst.js';
import type { MarketEvent, RankingEvent, RealtimeEvent, TradeEvent, WatchlistEvent } from '../../src/core/market.js';
import { createRandom } from '../../src/core/random.js';
import { createVirtualClock } from '../../src/core/virtual-clock.js';
import { createStrategyHost, type StrategyStats } from '../../src/engine/host.js';
import { loadStrategies } from '../../src/engine/load-strategies.js';
import { createRegistry } from '../../src/engine/registry.js';
import { createMarketBook } from '../../src/pipeline/market-book.js';
import { createMarketStream } from '../../src/pipeline/market-stream.js';
import { strategies } from '../../strategies/index.js';
import { benchBarsStrategy } from './bars-strategy.js';

export interface EngineBenchOptions {
  /** Trade events to push (default 300,000). */
  readonly events?: number;
  /** Distinct symbols (default 100). */
  readonly symbols?: number;
  readonly seed?: number | string;
  /** Adds `bench-bars` (1m and 1s bars, SMA + RSI + MACD per symbol on each 1s bar) beside the three strategies. */
  readonly bars?: boolean;
}

export interface EngineBenchResult {
  readonly name: string;
  readonly events: number;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  readonly signals: number;
  readonly stats: readonly StrategyStats[];
  /** Bars (1m and 1s) the bars strategy got (0 without `bars`). */
  readonly barsDelivered: number;
}

/**
 * Pushes pre-decoded one-entry 0B TradeEvents (plus a ranking and watchlist poll every 30 s of market
 * time) through the shared market stream, the market book and the three example strategies into a
 * counting sink, and reports events/s. Decoding and storage are not measured here.
 */
export async function benchEnginePipeline(options: EngineBenchOptions = {}): Promise<EngineBenchResult> {
  const total = options.events ?? 300_000;
  const symbolCount = options.symbols ?? 100;
  const start = kstToEpoch(2026, 1, 5, 9, 0, 0);
  const symbols = Array.from({ length: symbolCount }, (_, i) => String(100_000 + i * 10).padStart(6, '0'));
  const events = makeEvents(total, symbols, start, createRandom(options.seed ?? 'bench-engine'));

  const clock = createVirtualClock(start);
  const counter = { bars: 0 };
  const benchBars = benchBarsStrategy(counter);
  const registry = createRegistry([...strategies, benchBars]);
  const loaded = loadStrategies(
    [{ id: 'program-momentum' }, { id: 'watchlist-breakout', params: { windowMinutes: 5 } }, { id: 'indicative-deviation' }, ...(options.bars ? [{ id: benchBars.id }] : [])],
    registry,
  );
  let signals = 0;
  const host = createStrategyHost({
    clock,
    book: createMarketBook(),
    sink: { write: () => void signals++ },
    strategies: loaded,
    sessionId: 'bench',
    seed: 1,
    cooldownMs: 60_000,
  });
  const realtime$ = new Subject<RealtimeEvent>();
  const events$ = createMarketStream({
    clock,
    calendar: alwaysOpenCalendar,
    realtime$,
    onUniverseDiff: () => {},
    onError: () => {},
  });
  host.start();
  host.attach(events$);

  const t0 = performance.now();
  for (const e of events) {
    if (e.kind === 'trade') realtime$.next(e);
    else host.handle(e); // polls come through the stream's poll path live; the host is what matters here
  }
  const elapsedMs = performance.now() - t0;
  host.stop();
  const trades = events.filter((e) => e.kind === 'trade').length;
  return {
    name: options.bars ? 'engine pipeline (stream + book + 3 strategies + 1m/1s bars and 3 indicators per symbol)' : 'engine pipeline (stream + book + 3 strategies)',
    events: trades,
    elapsedMs,
    eventsPerSecond: Math.round((trades / elapsedMs) * 1000),
    signals,
    stats: host.stats(),
    barsDelivered: counter.bars,
  };
}

function makeEvents(total: number, symbols: readonly string[], start: number, random: ReturnType<typeof createRandom>): MarketEvent[] {
  const price = symbols.map(() => 10_000 + random.int(90_000));
  const open = [...price];
  const cumVolume = symbols.map(() => 0);
  const out: MarketEvent[] = [];
  const stepMs = 5; // 200 trades/s of market time
  let nextPoll = start;
  for (let i = 0; i < total; i++) {
    const ts = start + i * stepMs;
    if (ts >= nextPoll) {
      out.push(rankingOf(symbols, random, ts), watchlistOf(symbols, ts));
      nextPoll += 30_000;
    }
    const k = random.int(symbols.length);
    const p = Math.max(100, Math.round(price[k]! * (1 + random.normal() * 0.002)));
    price[k] = p;
    const volume = 1 + random.int(200);
    cumVolume[k]! += volume;
    const trade: TradeEvent = {
      kind: 'trade',
      symbol: symbols[k]!,
      venue: 'KRX',
      price: p,
      change: p - open[k]!,
      changeRate: Math.round(((p - open[k]!) / open[k]!) * 10_000) / 100,
      sign: p >= open[k]! ? 2 : 5,
      cumVolume: cumVolume[k]!,
      cumValue: 0,
      open: open[k]!,
      high: 0,
      low: 0,
      ask: p + 10,
      bid: p,
      volume,
      side: random.next() < 0.5 ? 'buy' : 'sell',
      strength: null,
      tradeVenue: 'KRX',
      sessionCode: '2',
      tsEvent: ts,
      tsRecv: ts,
    };
    out.push(trade);
  }
  return out;
}

function rankingOf(symbols: readonly string[], random: ReturnType<typeof createRandom>, ts: number): RankingEvent {
  const shuffled = [...symbols];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const picked = shuffled.slice(0, 50);
  return {
    kind: 'ranking',
    market: 'P00101',
    entries: picked.map((symbol, i) => ({
      rank: i + 1,
      symbol,
      name: symbol,
      price: 0,
      changeRate: 0,
      cumVolume: 0,
      programSellAmount: 0,
      programBuyAmount: 0,
      programNetBuyAmount: (50 - i) * 1000,
    })),
    tsEvent: ts,
    tsRecv: ts,
  };
}

function watchlistOf(symbols: readonly string[], ts: number): WatchlistEvent {
  return { kind: 'watchlist', groups: [{ code: '001', name: 'bench', symbols: symbols.slice(0, 20) }], tsEvent: ts, tsRecv: ts };
}
