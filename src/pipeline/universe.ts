import type { MarketEvent, ProgramMarketCode } from '../core/market.js';

/** A change of the wanted subscription set, each list sorted (deterministic REG/REMOVE order). */
export interface UniverseDiff {
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

export interface UniverseTracker {
  /** Folds a poll event in; returns the change, or null when the universe did not change. */
  apply(event: MarketEvent): UniverseDiff | null;
  /** Recomputes from the current sources (at start: adds the static symbols). */
  refresh(): UniverseDiff | null;
  /** The universe, sorted and frozen. */
  current(): readonly string[];
  /** Symbols of the latest top list of every market, sorted and frozen. */
  programTop(): readonly string[];
  /** Symbols of the latest watchlist poll, sorted and frozen. */
  watchlist(): readonly string[];
}

/**
 * The universe = program net-buy top lists (each market's latest poll) + watchlist symbols + static
 * symbols (config extras and what strategies ask for). Pure state: the same events give the same diffs.
 */
export function createUniverseTracker(staticSymbols: readonly string[] = []): UniverseTracker {
  const fixed = new Set(staticSymbols);
  const ranked = new Map<ProgramMarketCode, ReadonlySet<string>>();
  let watched: ReadonlySet<string> = new Set();
  let members: ReadonlySet<string> = new Set();
  let membersSorted: readonly string[] = Object.freeze([]);
  let topSorted: readonly string[] = Object.freeze([]);
  let watchSorted: readonly string[] = Object.freeze([]);

  const refresh = (): UniverseDiff | null => {
    const next = new Set(fixed);
    for (const set of ranked.values()) for (const s of set) next.add(s);
    for (const s of watched) next.add(s);
    const diff = diffSets(members, next);
    if (diff === null) return null;
    members = next;
    membersSorted = sortedFrozen(next);
    return diff;
  };

  return {
    apply(event) {
      if (event.kind === 'ranking') {
        ranked.set(event.market, new Set(event.entries.map((e) => e.symbol)));
        const all = new Set<string>();
        for (const set of ranked.values()) for (const s of set) all.add(s);
        topSorted = sortedFrozen(all);
      } else if (event.kind === 'watchlist') {
        watched = new Set(event.groups.flatMap((g) => g.symbols));
        watchSorted = sortedFrozen(watched);
      } else {
        return null;
      }
      return refresh();
    },
    refresh,
    current: () => membersSorted,
    programTop: () => topSorted,
    watchlist: () => watchSorted,
  };
}

/** `{ add, remove }` turning `prev` into `next`, sorted; null when equal. */
export function diffSets(prev: ReadonlySet<string>, next: ReadonlySet<string>): UniverseDiff | null {
  const add = [...next].filter((s) => !prev.has(s)).sort();
  const remove = [...prev].filter((s) => !next.has(s)).sort();
  if (add.length === 0 && remove.length === 0) return null;
  return Object.freeze({ add: Object.freeze(add), remove: Object.freeze(remove) });
}

function sortedFrozen(set: ReadonlySet<string>): readonly string[] {
  return Object.freeze([...set].sort());
}
