import type { Exchange, MarketEvent, ProgramMarketCode, RankingEvent, WatchlistEvent } from '../core/market.js';
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

/** The fields a ranking or watchlist sets: the symbol's, copied onto each of its venues' snapshots. */
type SymbolFields = Pick<SymbolSnapshot, 'programRank' | 'programMarket' | 'programNetBuyAmount' | 'inWatchlist' | 'info'>;

/**
 * The per-symbol-and-venue snapshots plus ranking/watchlist membership and the universe: the
 * MarketBook the strategy host applies events to (so state changes in the host's deterministic order).
 * A symbol's venues live together (one entry per symbol, its venues in arrival order): the first is
 * its primary venue, what `snapshot(symbol)` answers.
 */
export function createMarketBook(options: MarketBookOptions = {}): MarketBook {
  const snapshots = new Map<string, Map<Exchange, SymbolSnapshot>>();
  const universe = createUniverseTracker(options.staticSymbols ?? [], options.universeBudget, options.universeExclusion);
  universe.refresh();
  const rankedIn = new Map<ProgramMarketCode, ReadonlySet<string>>();
  let watched: ReadonlySet<string> = new Set();

  const venuesOf = (symbol: string): Map<Exchange, SymbolSnapshot> => {
    let venues = snapshots.get(symbol);
    if (venues === undefined) snapshots.set(symbol, (venues = new Map()));
    return venues;
  };
  /** A market event's snapshot to build on; a new venue starts with the symbol's ranking/watchlist fields. */
  const get = (symbol: string, venue: Exchange): SymbolSnapshot => {
    const venues = snapshots.get(symbol);
    const known = venues?.get(venue);
    if (known !== undefined) return known;
    const sibling = venues?.values().next().value;
    const empty = emptySnapshot(symbol, venue);
    return sibling === undefined ? empty : Object.freeze({ ...empty, ...symbolFields(sibling) });
  };
  const set = (next: SymbolSnapshot): void => {
    const venues = venuesOf(next.symbol);
    // A venue made by a ranking alone (no market event yet) gives way to the first venue with one.
    const first = venues.entries().next().value;
    if (first !== undefined && first[0] !== next.venue && !venues.has(next.venue) && isBare(first[1])) venues.delete(first[0]);
    venues.set(next.venue, next);
  };
  /** Symbol-level fields onto every venue of the symbol (KRX when it has none yet). */
  const update = (symbol: string, patch: Partial<SymbolFields>): void => {
    const venues = venuesOf(symbol);
    if (venues.size === 0) venues.set('KRX', emptySnapshot(symbol, 'KRX'));
    for (const [venue, snap] of venues) venues.set(venue, Object.freeze({ ...snap, ...patch }));
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
          set(applyTrade(get(event.symbol, event.venue), event));
          return;
        case 'indicative':
          set(applyIndicative(get(event.symbol, event.venue), event));
          return;
        case 'stock-info':
          set(applyStockInfo(get(event.symbol, event.venue), event));
          return;
        case 'program-flow':
          set(applyProgramFlow(get(event.symbol, event.venue), event));
          return;
        case 'book':
          set(applyBook(get(event.symbol, event.venue), event));
          return;
        case 'vi':
          set(applyVi(get(event.symbol, event.venue), event));
          return;
        case 'info': {
          // ka10001 is about the stock, not a venue: every venue of the symbol gets it (KRX when none yet).
          const venues = venuesOf(event.symbol);
          if (venues.size === 0) venues.set('KRX', emptySnapshot(event.symbol, 'KRX'));
          for (const [venue, snap] of venues) venues.set(venue, applyBasicInfo(snap, event));
          return;
        }
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
    snapshot: (symbol, venue) => {
      const venues = snapshots.get(symbol);
      return venue === undefined ? venues?.values().next().value : venues?.get(venue);
    },
    venueOf: (symbol) => snapshots.get(symbol)?.keys().next().value,
    universe: () => universe.current(),
    programTop: () => universe.programTop(),
    watchlist: () => universe.watchlist(),
  };
}

function symbolFields(s: SymbolSnapshot): SymbolFields {
  return { programRank: s.programRank, programMarket: s.programMarket, programNetBuyAmount: s.programNetBuyAmount, inWatchlist: s.inWatchlist, info: s.info };
}

/** Nothing but symbol-level fields: no market event reached this snapshot. */
function isBare(s: SymbolSnapshot): boolean {
  return s.lastPrice === null && s.indicativePrice === null && s.limits === null && s.program === null && s.book === null && s.vi === null;
}
