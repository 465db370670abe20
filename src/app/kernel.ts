import type { Observable, Subscription } from 'rxjs';
import type { Config } from '../config/schema.js';
import { alwaysOpenCalendar, createKrxCalendar, type MarketCalendar } from '../core/calendar.js';
import type { Clock } from '../core/clock.js';
import { errorMessage, isKrxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { MarketEvent, ProgramMarketCode, RankingEvent, RealtimeEvent, WatchlistEvent } from '../core/market.js';
import type { SignalSink } from '../core/signal-sink.js';
import type { MarketBook } from '../core/snapshot.js';
import { createStrategyHost, type StrategyHost, type StrategyStats } from '../engine/host.js';
import { collectNeeds, loadStrategies, type LoadedStrategy } from '../engine/load-strategies.js';
import { createRegistry } from '../engine/registry.js';
import { createMarketBook } from '../pipeline/market-book.js';
import { createMarketStream } from '../pipeline/market-stream.js';
import type { UniverseDiff } from '../pipeline/universe.js';
import { strategies as manifest } from '../../strategies/index.js';

/**
 * The kernel every environment runs (live, simulator, replay): the market stream, the strategy host
 * and its book. Only the inputs differ: where real-time events and poll answers come from.
 */
export interface KernelPlan {
  readonly strategies: readonly LoadedStrategy[];
  /** Real-time types to subscribe: the config's plus every strategy's needs. */
  readonly realtimeTypes: readonly string[];
  /** Always in the universe: config extras plus the strategies' symbols. */
  readonly staticSymbols: readonly string[];
  readonly calendar: MarketCalendar;
  /** The socket's item budget (connection.maxItems), in live and replay alike. */
  readonly universeBudget: { readonly maxSymbols: number };
}

/** Validates strategies and params (ConfigError naming the path) and resolves what the kernel needs. */
export function planKernel(config: Config, environment: 'sim' | 'live' | 'replay', only?: readonly string[]): KernelPlan {
  const entries = config.strategies.filter((s) => only === undefined || only.length === 0 || only.includes(s.id));
  const loaded = loadStrategies(entries, createRegistry(manifest));
  const needs = collectNeeds(loaded);
  const realtimeTypes = [...new Set([...config.universe.realtimeTypes, ...needs.realtimeTypes])].sort();
  const staticSymbols = [...new Set([...config.universe.extraSymbols, ...needs.symbols])].sort();
  const kind = config.calendar.kind === 'auto' ? (environment === 'sim' ? 'always-open' : 'krx') : config.calendar.kind;
  const calendar =
    kind === 'always-open'
      ? alwaysOpenCalendar
      : createKrxCalendar({ open: config.calendar.open, close: config.calendar.close, holidays: [...config.calendar.holidays] });
  return { strategies: loaded, realtimeTypes, staticSymbols, calendar, universeBudget: { maxSymbols: config.connection.maxItems } };
}

export interface KernelInputs {
  readonly clock: Clock;
  readonly log: Logger;
  readonly sessionId: string;
  readonly seed: number | string;
  readonly realtime$: Observable<RealtimeEvent>;
  /** The connection's wanted set follows the universe. */
  readonly applyDiff: (diff: UniverseDiff) => void;
  readonly fetchRanking?: (market: ProgramMarketCode) => Promise<RankingEvent>;
  readonly fetchWatchlist?: () => Promise<WatchlistEvent>;
  readonly sink: SignalSink;
  readonly rankingMarkets: readonly ProgramMarketCode[];
  readonly rankingPeriodMs: number;
  readonly watchlistPeriodMs: number;
  /** Engine time of the strategies' onStart (a replay passes the recorded start). */
  readonly startAt: number;
}

export interface Kernel {
  readonly stream$: Observable<MarketEvent>;
  readonly host: StrategyHost;
  readonly book: MarketBook;
  /** Universe diffs seen so far (for lifecycle logs and health). */
  universeSize(): number;
  strategyStats(): StrategyStats[];
  /** Stops polls and strategies at engine time `at` (default now); the real-time source is stopped by its owner. */
  stop(at?: number): void;
}

export function startKernel(plan: KernelPlan, inputs: KernelInputs): Kernel {
  const { clock, log } = inputs;
  const book = createMarketBook({ staticSymbols: plan.staticSymbols, universeBudget: plan.universeBudget });
  const universe = new Set<string>();
  const pollErrors = new Map<string, number>();
  const stream$ = createMarketStream({
    clock,
    calendar: plan.calendar,
    realtime$: inputs.realtime$,
    ...(inputs.fetchRanking
      ? { ranking: { markets: inputs.rankingMarkets, periodMs: inputs.rankingPeriodMs, fetch: inputs.fetchRanking } }
      : {}),
    ...(inputs.fetchWatchlist ? { watchlist: { periodMs: inputs.watchlistPeriodMs, fetch: inputs.fetchWatchlist } } : {}),
    staticSymbols: plan.staticSymbols,
    universeBudget: plan.universeBudget,
    onUniverseDiff: (diff) => {
      for (const s of diff.remove) universe.delete(s);
      for (const s of diff.add) universe.add(s);
      log.info({ event: 'universe.changed', added: diff.add.length, removed: diff.remove.length, size: universe.size }, `universe changed +${diff.add.length} -${diff.remove.length}`);
      inputs.applyDiff(diff);
    },
    onError: (source, err) => {
      const n = (pollErrors.get(source) ?? 0) + 1;
      pollErrors.set(source, n);
      log.warn({ source, code: isKrxError(err) ? err.code : 'E_NETWORK', err: errorMessage(err), count: n }, `poll failed: ${source}`);
    },
  });
  const host = createStrategyHost({
    clock,
    book,
    sink: inputs.sink,
    strategies: plan.strategies,
    sessionId: inputs.sessionId,
    seed: inputs.seed,
    logger: log.child({ component: 'strategies' }),
  });
  host.start(inputs.startAt);
  const subscription: Subscription = host.attach(stream$);
  if (plan.strategies.length === 0) log.warn({ code: 'E_CONFIG_INVALID' }, 'no strategies enabled: the daemon will stream but emit no signals');
  return {
    stream$,
    host,
    book,
    universeSize: () => universe.size,
    strategyStats: () => host.stats(),
    stop: (at) => {
      subscription.unsubscribe();
      host.stop(at);
    },
  };
}
