import type { Observable, Subscription } from 'rxjs';
import { eventNeedOfWireType } from '../adapters/kiwoom/realtime-types.js';
import type { MarketCalendar } from '../core/calendar.js';
import type { SessionSchedule } from '../core/market-sessions.js';
import type { Clock } from '../core/clock.js';
import { ConfigError, errorMessage, isKrxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { EventNeed, MarketEvent, RealtimeEvent } from '../core/market.js';
import type { SignalSink } from '../core/signal-sink.js';
import type { MarketBook } from '../core/snapshot.js';
import type { AnyStrategyDefinition } from '../core/strategy.js';
import { createStrategyHost, type HostReload, type StrategyHost, type StrategyStats } from '../engine/host.js';
import { collectNeeds, loadStrategies, type LoadedStrategy } from '../engine/load-strategies.js';
import { createRegistry } from '../engine/registry.js';
import { createMarketBook } from '../pipeline/market-book.js';
import { createMarketStream, type EntrySource, type PollSource } from '../pipeline/market-stream.js';
import { createPollBoard, type PollState } from '../pipeline/poll-board.js';
import { createStockMasterBook, labelOf, type StockMasterBook } from '../pipeline/stock-master-book.js';
import type { StockMaster } from '../core/stock-master.js';
import type { PollNeed } from '../core/strategy.js';
import type { UniverseDiff } from '../pipeline/universe.js';
import { strategies as manifest } from '../../strategies/index.js';
import { universeItemBudget } from './itemless.js';
import { hasSource, realtimeTypesFor } from './market-sources.js';
import type { KernelSettings } from './settings.js';

// The kernel every environment runs (live, simulator, replay): the market stream, the strategy host
// and its book. Only the inputs differ: where real-time events and poll answers come from.

export interface KernelPlan {
  readonly strategies: readonly LoadedStrategy[];
  /** The union of the strategies' and the universe's needs: selects the sources. */
  readonly needs: readonly EventNeed[];
  /** Real-time types to subscribe: the config's plus every strategy's needs. */
  readonly realtimeTypes: readonly string[];
  /** Always in the universe: config extras plus the strategies' symbols. */
  readonly staticSymbols: readonly string[];
  readonly calendar: MarketCalendar;
  /** The phases per venue (live `sessions` calendar; null always-open/krx): phase events, ctx.phase, auction prints. */
  readonly sessions: SessionSchedule | null;
  /** The sockets' item budget (per app key connection.maxItems, less the item-less item when it counts), in live and replay alike. */
  readonly universeBudget: { readonly maxSymbols: number };
  /** Ranked and watched symbols left out by the stock master's orderWarning. */
  readonly universeExclusion: { readonly orderWarning: readonly string[] };
  /** The strategies' poll schedules (`needs.polls`), the shortest period per source. */
  readonly pollSchedules: readonly PollNeed[];
}

/**
 * The universe follows the program top lists and the watchlists filtered by the stock master, and
 * each member's ka10001 fills its snapshot, whatever the strategies need.
 */
const UNIVERSE_NEEDS: readonly EventNeed[] = ['ranking', 'watchlist', 'stock-master', 'info'];

/**
 * Validates strategies and params (ConfigError naming the path) and resolves what the kernel needs.
 * `only` keeps those strategy ids (empty: all); `definitions` defaults to the strategies/ manifest.
 */
export function planKernel(settings: KernelSettings, only?: readonly string[], definitions: readonly AnyStrategyDefinition[] = manifest): KernelPlan {
  const entries = settings.strategies.filter((s) => only === undefined || only.length === 0 || only.includes(s.id));
  const loaded = loadStrategies(entries, createRegistry(definitions), eventNeedOfWireType);
  const unknown = loaded.flatMap((s) => s.needs.events.filter((e) => !hasSource(e)).map((e) => `strategy "${s.definition.id}": needs.events names "${e}", which no source provides`));
  if (unknown.length > 0) throw new ConfigError(unknown, 'E_STRATEGY_DEFINITION');
  const needs = collectNeeds(loaded);
  const realtimeTypes = [...new Set([...settings.universe.realtimeTypes, ...realtimeTypesFor(needs.events)])].sort();
  const staticSymbols = [...new Set([...settings.universe.extraSymbols, ...needs.symbols])].sort();
  const selected = [...new Set([...UNIVERSE_NEEDS, ...needs.events])].sort();
  return {
    strategies: loaded,
    needs: selected,
    realtimeTypes,
    staticSymbols,
    calendar: settings.calendar,
    sessions: settings.sessions,
    // Every app key's socket holds the same budget (kiwoom.keys; from the config alone, so replay agrees).
    universeBudget: { maxSymbols: universeItemBudget(settings, realtimeTypes) * Math.max(1, settings.kiwoom.keys.length) },
    universeExclusion: { orderWarning: settings.universe.excludeOrderWarning },
    pollSchedules: needs.polls,
  };
}

export interface KernelInputs {
  readonly clock: Clock;
  readonly log: Logger;
  readonly sessionId: string;
  readonly seed: number | string;
  readonly realtime$: Observable<RealtimeEvent>;
  /** The connection's wanted set follows the universe. */
  readonly applyDiff: (diff: UniverseDiff) => void;
  /** The polls the plan's needs selected (`buildMarketSources`). */
  readonly polls: readonly PollSource[];
  /** Fetched once per symbol entering the universe (`buildEntrySources`); default none. */
  readonly entries?: readonly EntrySource[];
  /** The stock master to fill (the daemon makes it first, for its notifier's names); default a new one. */
  readonly master?: StockMasterBook;
  readonly sink: SignalSink;
  /** Engine time of the strategies' onStart (a replay passes the recorded start). */
  readonly startAt: number;
  /** A reload changed the real-time types to subscribe (live: the connection's REG diff). */
  readonly setRealtimeTypes?: (types: readonly string[]) => void;
}

export interface Kernel {
  readonly stream$: Observable<MarketEvent>;
  readonly host: StrategyHost;
  readonly book: MarketBook;
  /** The latest ka10099 stock master (names, nxtEnable, orderWarning): for the venue choice and messages. */
  readonly master: StockMaster;
  /** Each poll's last delivery and late ticks (/healthz, krx_poll_age_seconds). */
  polls(): readonly PollState[];
  strategyStats(): StrategyStats[];
  /**
   * A hot reload at engine time `at`: the host replaces the `changed` strategies (and drops those
   * `plan` no longer has) and the real-time types follow the plan. The plan's polls and static
   * symbols must be the running ones (the reloader rejects a strategy that needs others).
   */
  reload(plan: KernelPlan, changed: ReadonlySet<string>, at: number): HostReload;
  /** Stops polls and strategies at engine time `at` (default now); the real-time source is stopped by its owner. */
  stop(at?: number): void;
}

/** Starts the market stream and the strategy host over the inputs. */
export function startKernel(plan: KernelPlan, inputs: KernelInputs): Kernel {
  const { clock, log } = inputs;
  const book = createMarketBook({ staticSymbols: plan.staticSymbols, universeBudget: plan.universeBudget, universeExclusion: plan.universeExclusion });
  const master = inputs.master ?? createStockMasterBook();
  const board = createPollBoard();
  const pollErrors = new Map<string, number>();
  let universeSize = 0;
  const named = (symbols: readonly string[]): string[] => symbols.slice(0, 20).map((s) => labelOf(master, s));
  const stream$ = createMarketStream({
    clock,
    calendar: plan.calendar,
    sessions: plan.sessions,
    realtime$: inputs.realtime$,
    polls: inputs.polls,
    entries: inputs.entries ?? [],
    board,
    staticSymbols: plan.staticSymbols,
    universeBudget: plan.universeBudget,
    universeExclusion: plan.universeExclusion,
    onUniverseDiff: (diff) => {
      universeSize += diff.add.length - diff.remove.length;
      // Names from the stock master (the first 20 of each side), so a reader sees which stocks.
      log.info({ event: 'universe.changed', added: diff.add.length, removed: diff.remove.length, size: universeSize, addedNames: named(diff.add), removedNames: named(diff.remove) }, `universe changed +${diff.add.length} -${diff.remove.length}`);
      inputs.applyDiff(diff);
    },
    onMaster: (event) => {
      master.apply(event);
      const excluded = event.entries.filter((e) => plan.universeExclusion.orderWarning.includes(e.orderWarning));
      log.info({ event: 'stock-master.loaded', stocks: event.entries.length, excluded: excluded.length, excludedNames: excluded.slice(0, 20).map((e) => `${e.name} (${e.symbol}) orderWarning ${e.orderWarning}`) }, `stock master loaded: ${event.entries.length} stocks, ${excluded.length} left out of the universe by orderWarning`);
    },
    onLate: (source) => {
      log.warn({ event: 'poll.late', code: 'E_POLL_LATE', source }, `poll late: ${source} did not finish within its period (the REST budget cannot carry every poll)`);
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
    sessions: plan.sessions,
    logger: log.child({ component: 'strategies' }),
  });
  host.start(inputs.startAt);
  let realtimeTypes = plan.realtimeTypes;
  const subscription: Subscription = host.attach(stream$);
  if (plan.strategies.length === 0) log.warn({ code: 'E_CONFIG_INVALID' }, 'no strategies enabled: the daemon will stream but emit no signals');
  return {
    stream$,
    host,
    book,
    master,
    polls: () => board.list(),
    strategyStats: () => host.stats(),
    reload: (next, changed, at) => {
      const outcome = host.reload(next.strategies, { changed, at });
      if (next.realtimeTypes.join(',') !== realtimeTypes.join(',')) {
        realtimeTypes = next.realtimeTypes;
        inputs.setRealtimeTypes?.(realtimeTypes);
      }
      return outcome;
    },
    stop: (at) => {
      subscription.unsubscribe();
      host.stop(at);
    },
  };
}
