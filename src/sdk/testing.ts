import { kstToEpoch } from '../core/kst.js';
import type { Logger } from '../core/logger.js';
import type { Exchange, MarketEvent, RankingEvent, TradeEvent, WatchlistEvent, IndicativeEvent, ProgramMarketCode } from '../core/market.js';
import type { Signal } from '../core/signal.js';
import type { AnyStrategyDefinition, StrategyState } from '../core/strategy.js';
import { createVirtualClock } from '../core/virtual-clock.js';
import { createStrategyHost } from '../engine/host.js';
import { loadStrategies } from '../engine/load-strategies.js';
import { createRegistry } from '../engine/registry.js';
import { createMarketBook } from '../pipeline/market-book.js';

// krx-signals/sdk/testing: run one strategy through the real strategy host and market book on a
// virtual clock, events in, signals out, as a replay would (timers due at or before an event fire
// first; bars close at their boundaries). No sockets, no database, no wall clock.

/** Monday 2026-01-05 09:00:00 KST: the default start of a run. */
export const T0 = kstToEpoch(2026, 1, 5, 9, 0, 0);

export interface RunStrategyOptions {
  /** The strategy's params (validated and defaulted by its schema, as config would be). */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Events by `tsRecv`, oldest first: the clock advances to each before it is handed over. */
  readonly events: readonly MarketEvent[];
  /** Engine time of `onStart` (default T0, or the first event's tsRecv if earlier). */
  readonly start?: number;
  /** Advance the clock to this time after the last event (timers fire, bars close), then `onStop`. */
  readonly until?: number;
  /** Cooldown per strategy, symbol and kind (the daemon's default is 60 s). Default 0: every signal. */
  readonly cooldownMs?: number;
  readonly sessionId?: string;
  /** Seeds `ctx.random()`. */
  readonly seed?: number | string;
}

export interface LogRecord {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: Readonly<Record<string, unknown>>;
  readonly msg: string;
}

export interface StrategyRunResult {
  readonly signals: readonly Signal[];
  /** What the strategy logged, faults included (`code: 'E_STRATEGY_FAULT'`). */
  readonly logs: readonly LogRecord[];
  readonly faults: number;
  readonly state: StrategyState;
}

/**
 * Runs `definition` over `events` and returns its signals. Throws a ConfigError when the params do
 * not validate, as the daemon would refuse to start.
 *
 * @example
 * const { signals } = runStrategy(mine, { params: { minChangeRate: 5 }, events: [trade({ price: 105, changeRate: 5, ts: T0 })] });
 */
export function runStrategy(definition: AnyStrategyDefinition, options: RunStrategyOptions): StrategyRunResult {
  const first = options.events[0]?.tsRecv;
  const start = options.start ?? Math.min(T0, first ?? T0);
  const clock = createVirtualClock(start);
  const signals: Signal[] = [];
  const logs: LogRecord[] = [];
  const host = createStrategyHost({
    clock,
    book: createMarketBook(),
    sink: { write: (s) => signals.push(s) },
    strategies: loadStrategies([{ id: definition.id, params: options.params ?? {} }], createRegistry([definition])),
    sessionId: options.sessionId ?? 'test-session',
    seed: options.seed ?? 1,
    cooldownMs: options.cooldownMs ?? 0,
    logger: memoryLogger(logs),
  });
  host.start(start);
  for (const e of options.events) {
    if (e.tsRecv > clock.now()) clock.advanceTo(e.tsRecv);
    host.handle(e);
  }
  if (options.until !== undefined && options.until > clock.now()) clock.advanceTo(options.until);
  const [stats] = host.stats();
  host.stop();
  return { signals, logs, faults: stats?.faults ?? 0, state: stats?.state ?? 'stopped' };
}

function memoryLogger(records: LogRecord[], bindings: Readonly<Record<string, unknown>> = {}): Logger {
  const at = (level: LogRecord['level']) => (fields: Record<string, unknown>, msg: string): void => {
    records.push({ level, fields: { ...bindings, ...fields }, msg });
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (more) => memoryLogger(records, { ...bindings, ...more }) };
}

/** A 0B trade of `symbol` (default 005930, venue KRX) at `ts` (tsEvent = tsRecv unless given). */
export function trade(p: { symbol?: string; venue?: Exchange; price: number; volume?: number; ts: number; tsRecv?: number; open?: number; high?: number; low?: number; cumVolume?: number; changeRate?: number }): TradeEvent {
  const venue = p.venue ?? 'KRX';
  return {
    kind: 'trade',
    symbol: p.symbol ?? '005930',
    venue,
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
    tradeVenue: venue === 'NXT' ? 'NXT' : 'KRX',
    sessionCode: '2',
    tsEvent: p.ts,
    tsRecv: p.tsRecv ?? p.ts,
  };
}

/** A 0A indicative (주식기세) price. */
export function indicative(p: { symbol?: string; price: number; ts: number }): IndicativeEvent {
  return { kind: 'indicative', symbol: p.symbol ?? '005930', venue: 'KRX', price: p.price, change: 0, changeRate: 0, sign: 3, cumVolume: 0, cumValue: 0, open: 0, high: 0, low: 0, ask: 0, bid: 0, tsEvent: p.ts, tsRecv: p.ts };
}

/** A program net-buy ranking poll of one market; `symbols` in rank order (rank 1 first). */
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

/** A KIS watchlist poll with one group holding `symbols`. */
export function watchlist(symbols: readonly string[], ts: number): WatchlistEvent {
  return { kind: 'watchlist', groups: [{ code: '001', name: 'main', symbols }], tsEvent: ts, tsRecv: ts };
}
