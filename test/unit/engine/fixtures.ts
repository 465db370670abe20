import type { Logger } from '../../../src/core/logger.js';
import { kstToEpoch } from '../../../src/core/kst.js';
import type { IndicativeEvent, MarketEvent, ProgramMarketCode, RankingEvent, TradeEvent, WatchlistEvent } from '../../../src/core/market.js';
import type { Signal } from '../../../src/core/signal.js';
import type { AnyStrategyDefinition } from '../../../src/core/strategy.js';
import { createVirtualClock, type VirtualClock } from '../../../src/core/virtual-clock.js';
import { createStrategyHost, type StrategyHost, type StrategyHostOptions } from '../../../src/engine/host.js';
import { loadStrategies, type StrategyConfigEntry } from '../../../src/engine/load-strategies.js';
import { createRegistry } from '../../../src/engine/registry.js';
import { createMarketBook } from '../../../src/pipeline/market-book.js';

/** Monday 2026-01-05 09:00:00 KST. */
export const T0 = kstToEpoch(2026, 1, 5, 9, 0, 0);

export function trade(p: { symbol?: string; price: number; volume?: number; ts: number; tsRecv?: number; open?: number; high?: number; low?: number; cumVolume?: number; changeRate?: number }): TradeEvent {
  return {
    kind: 'trade',
    symbol: p.symbol ?? '005930',
    exchange: 'KRX',
    price: p.price,
    change: 0,
    changeRate: p.changeRate ?? 0,
    sign: 3,
    cumVolume: p.cumVolume ?? 0,
    cumValue: 0,
    open: p.open ?? 0,
    high: p.high ?? 0,
    low: p.low ?? 0,
    ask: p.price + 100,
    bid: p.price,
    volume: p.volume ?? 10,
    side: 'buy',
    strength: null,
    tsEvent: p.ts,
    tsRecv: p.tsRecv ?? p.ts,
  };
}

export function indicative(p: { symbol?: string; price: number; ts: number }): IndicativeEvent {
  return {
    kind: 'indicative',
    symbol: p.symbol ?? '005930',
    exchange: 'KRX',
    price: p.price,
    change: 0,
    changeRate: 0,
    sign: 3,
    cumVolume: 0,
    cumValue: 0,
    open: 0,
    high: 0,
    low: 0,
    ask: 0,
    bid: 0,
    tsEvent: p.ts,
    tsRecv: p.ts,
  };
}

/** A ranking poll; `symbols` in rank order (rank 1 first). */
export function ranking(market: ProgramMarketCode, symbols: readonly string[], ts: number): RankingEvent {
  return {
    kind: 'ranking',
    market,
    entries: symbols.map((symbol, i) => ({
      rank: i + 1,
      symbol,
      name: `name-${symbol}`,
      price: 10_000,
      changeRate: 1,
      cumVolume: 1000,
      programSellAmount: 100,
      programBuyAmount: 100 + (symbols.length - i) * 10,
      programNetBuyAmount: (symbols.length - i) * 10,
    })),
    tsEvent: ts,
    tsRecv: ts,
  };
}

export function watchlist(symbols: readonly string[], ts: number): WatchlistEvent {
  return { kind: 'watchlist', groups: [{ code: '001', name: 'main', symbols }], tsEvent: ts, tsRecv: ts };
}

export interface LogRecord {
  level: string;
  fields: Record<string, unknown>;
  msg: string;
}

/** A Logger that keeps every record (bindings merged into fields). */
export function memoryLogger(records: LogRecord[] = [], bindings: Record<string, unknown> = {}): Logger & { records: LogRecord[] } {
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => {
    records.push({ level, fields: { ...bindings, ...fields }, msg });
  };
  return {
    records,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => memoryLogger(records, { ...bindings, ...more }),
  };
}

export interface Run {
  clock: VirtualClock;
  host: StrategyHost;
  signals: Signal[];
  logs: LogRecord[];
  /** Feeds events like a replay: advance the clock to each tsRecv, then hand the event over. */
  feed(events: readonly MarketEvent[]): void;
}

/** Starts a host over the given definitions and config entries on a virtual clock at `start`. */
export function startRun(
  definitions: readonly AnyStrategyDefinition[],
  entries: readonly StrategyConfigEntry[],
  options: { start?: number } & Partial<Omit<StrategyHostOptions, 'clock' | 'book' | 'sink' | 'strategies' | 'logger'>> = {},
): Run {
  const clock = createVirtualClock(options.start ?? T0);
  const signals: Signal[] = [];
  const logger = memoryLogger();
  const host = createStrategyHost({
    sessionId: 'test-session',
    seed: 1,
    ...options,
    clock,
    book: createMarketBook(),
    sink: { write: (s) => signals.push(s) },
    strategies: loadStrategies(entries, createRegistry(definitions)),
    logger,
  });
  host.start();
  return {
    clock,
    host,
    signals,
    logs: logger.records,
    feed(events) {
      for (const e of events) {
        if (e.tsRecv > clock.now()) clock.advanceTo(e.tsRecv);
        host.handle(e);
      }
    },
  };
}
