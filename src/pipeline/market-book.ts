import type { MarketEvent, ProgramMarketCode, RankingEvent, WatchlistEvent } from '../core/market.js';
import type { MarketBook, SymbolSnapshot } from '../core/snapshot.js';
import { applyBasicInfo, applyBook, applyIndicative, applyProgramFlow, applyStockInfo, applyTrade, applyVi, emptySnapshot } from './snapshot.js';
import { createUniverseTracker, type UniverseBudget, type UniverseExclusion } from './universe.js';

export interface MarketBookOptions {
  /** Symbols always in the universe (config extras + strategy needs). */
  readonly staticSymbols?: readonly string[];
  /** The socket's item budget: the book's universe is the subscribed one. */
  readonly universeBudget?: UniverseBudget;
  /** The stock master's exclusions, as the market stream applies them. */
  readonly universeExclusion?: UniverseExclusion;
  /** Snapshots kept for symbols that left the universe (the latest departures). Default 2,048. */
  readonly departedMemory?: number;
}

/** About the listed KRX stocks: a whole day's rotation stays readable, a month's cannot pile up. */
const DEPARTED_MEMORY = 2_048;

/**
 * The per-symbol snapshots plus ranking/watchlist membership and the universe: the MarketBook the
 * strategy host applies events to (so state changes in the host's deterministic order).
 */
export function createMarketBook(options: MarketBookOptions = {}): MarketBook {
  const snapshots = new Map<string, SymbolSnapshot>();
  const universe = createUniverseTracker(options.staticSymbols ?? [], options.universeBudget, options.universeExclusion);
  universe.refresh();
  const rankedIn = new Map<ProgramMarketCode, ReadonlySet<string>>();
  let watched: ReadonlySet<string> = new Set();

  const get = (symbol: string): SymbolSnapshot => snapshots.get(symbol) ?? emptySnapshot(symbol);
  const update = (symbol: string, patch: Partial<SymbolSnapshot>): void => {
    snapshots.set(symbol, Object.freeze({ ...get(symbol), ...patch }));
  };

  const applyRanking = (e: RankingEvent): void => {
    const now = new Set<string>();
    for (const entry of e.entries) {
      now.add(entry.symbol);
      update(entry.symbol, { programRank: entry.rank, programMarket: e.market, programNetBuyAmount: entry.programNetBuyAmount });
    }
    for (const symbol of rankedIn.get(e.market) ?? []) {
      if (!now.has(symbol)) update(symbol, { programRank: null, programMarket: null });
    }
    rankedIn.set(e.market, now);
  };

  /**
   * Per-symbol state is bounded by the universe: symbols out of the universe, every ranking and the
   * watchlist keep their snapshot (a strategy may still read it: an EXIT's last price, a re-entry the
   * same day) only among the last `departedMemory` to leave; older departures are forgotten, so
   * rotating rankings cannot grow the book for a month.
   */
  const departedMemory = options.departedMemory ?? DEPARTED_MEMORY;
  const departed = new Set<string>(); // in order of departure
  const forgetDeparted = (): void => {
    const keep = new Set([...universe.current(), ...watched, ...[...rankedIn.values()].flatMap((ranked) => [...ranked])]);
    for (const symbol of departed) if (keep.has(symbol)) departed.delete(symbol);
    for (const symbol of snapshots.keys()) if (!keep.has(symbol)) departed.add(symbol);
    for (const symbol of departed) {
      if (departed.size <= departedMemory) break;
      departed.delete(symbol);
      snapshots.delete(symbol);
    }
  };

  const applyWatchlist = (e: WatchlistEvent): void => {
    const now = new Set(e.groups.flatMap((g) => g.symbols));
    for (const symbol of now) if (!watched.has(symbol)) update(symbol, { inWatchlist: true });
    for (const symbol of watched) if (!now.has(symbol)) update(symbol, { inWatchlist: false });
    watched = now;
  };

  return {
    apply(event: MarketEvent) {
      switch (event.kind) {
        case 'trade':
          snapshots.set(event.symbol, applyTrade(get(event.symbol), event));
          return;
        case 'indicative':
          snapshots.set(event.symbol, applyIndicative(get(event.symbol), event));
          return;
        case 'stock-info':
          snapshots.set(event.symbol, applyStockInfo(get(event.symbol), event));
          return;
        case 'program-flow':
          snapshots.set(event.symbol, applyProgramFlow(get(event.symbol), event));
          return;
        case 'book':
          snapshots.set(event.symbol, applyBook(get(event.symbol), event));
          return;
        case 'vi':
          snapshots.set(event.symbol, applyVi(get(event.symbol), event));
          return;
        case 'info':
          snapshots.set(event.symbol, applyBasicInfo(get(event.symbol), event));
          return;
        case 'stock-master':
          universe.apply(event);
          forgetDeparted();
          return;
        case 'ranking':
          applyRanking(event);
          universe.apply(event);
          forgetDeparted();
          return;
        case 'watchlist':
          applyWatchlist(event);
          universe.apply(event);
          forgetDeparted();
          return;
        case 'raw':
        case 'investor-flow':
        case 'investor-totals':
          return;
      }
    },
    snapshot: (symbol) => snapshots.get(symbol),
    universe: () => universe.current(),
    programTop: () => universe.programTop(),
    watchlist: () => universe.watchlist(),
  };
}
