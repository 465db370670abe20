import type { MarketEvent, ProgramMarketCode } from '../core/market.js';

/** A change of the wanted subscription set, each list sorted (deterministic REG/REMOVE order). */
export interface UniverseDiff {
  readonly add: readonly string[];
  readonly remove: readonly string[];
  /** With a budget: every symbol the budget leaves out now, in priority order (for the log and metrics). */
  readonly leftOut?: readonly string[];
}

export interface UniverseBudget {
  /** Most symbols in the universe (the socket's item budget, config connection.maxItems). */
  readonly maxSymbols: number;
}

/** Which ranked and watched symbols the universe leaves out, by the stock master. */
export interface UniverseExclusion {
  /** ka10099 `orderWarning` codes to leave out (config universe.exclude.orderWarning). */
  readonly orderWarning: readonly string[];
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
  /** Symbols the budget leaves out, in priority order, frozen (empty without a budget). */
  leftOut(): readonly string[];
  /** Symbols the latest stock master excludes (by orderWarning), sorted and frozen. */
  excluded(): readonly string[];
}

/**
 * The universe = program net-buy top lists (each market's latest poll) + watchlist symbols + static
 * symbols (config extras and what strategies ask for). Pure state: the same events give the same diffs.
 *
 * With a budget (one socket holds ~200 items) the universe keeps the most important symbols, in this
 * priority: the static symbols (strategy-required and config extras, sorted), then the watchlist
 * (sorted), then the program ranks in rank order (rank 1 of every market, then rank 2 ..., markets in
 * the order first polled). The rest is left out and reported with each diff.
 *
 * With an exclusion, the latest stock master's symbols whose `orderWarning` is excluded (정리매매,
 * 투자위험 by default) are dropped from the ranked and watched candidates; static symbols stay (the user
 * or a strategy named them). Before the first master nothing is excluded.
 */
export function createUniverseTracker(staticSymbols: readonly string[] = [], budget?: UniverseBudget, exclusion?: UniverseExclusion): UniverseTracker {
  const fixed = [...new Set(staticSymbols)].sort();
  const excludedCodes = new Set(exclusion?.orderWarning ?? []);
  let excluded: ReadonlySet<string> = new Set();
  let excludedSorted: readonly string[] = Object.freeze([]);
  /** market -> its latest top list in rank order */
  const ranked = new Map<ProgramMarketCode, readonly string[]>();
  let watched: ReadonlySet<string> = new Set();
  let members: ReadonlySet<string> = new Set();
  let membersSorted: readonly string[] = Object.freeze([]);
  let topSorted: readonly string[] = Object.freeze([]);
  let watchSorted: readonly string[] = Object.freeze([]);
  let leftOut: readonly string[] = Object.freeze([]);

  /** Every candidate once, most important first. */
  const byPriority = (): string[] => {
    const out = new Set<string>(fixed);
    for (const s of watchSorted) if (!excluded.has(s)) out.add(s);
    const lists = [...ranked.values()];
    const deepest = Math.max(0, ...lists.map((l) => l.length));
    for (let rank = 0; rank < deepest; rank++) {
      for (const list of lists) if (rank < list.length && !excluded.has(list[rank] as string)) out.add(list[rank] as string);
    }
    return [...out];
  };

  const refresh = (): UniverseDiff | null => {
    const candidates = byPriority();
    const limit = budget ? Math.max(0, Math.floor(budget.maxSymbols)) : candidates.length;
    const next = new Set(candidates.slice(0, limit));
    const out = Object.freeze(candidates.slice(limit));
    const diff = diffSets(members, next);
    const leftOutChanged = out.length !== leftOut.length || out.some((s, i) => s !== leftOut[i]);
    leftOut = out;
    if (diff === null) {
      return leftOutChanged && budget ? Object.freeze({ add: Object.freeze([]), remove: Object.freeze([]), leftOut }) : null;
    }
    members = next;
    membersSorted = sortedFrozen(next);
    return budget ? Object.freeze({ ...diff, leftOut }) : diff;
  };

  return {
    apply(event) {
      if (event.kind === 'ranking') {
        ranked.set(event.market, [...event.entries].sort((a, b) => a.rank - b.rank).map((e) => e.symbol));
        const all = new Set<string>();
        for (const list of ranked.values()) for (const s of list) all.add(s);
        topSorted = sortedFrozen(all);
      } else if (event.kind === 'watchlist') {
        watched = new Set(event.groups.flatMap((g) => g.symbols));
        watchSorted = sortedFrozen(watched);
      } else if (event.kind === 'stock-master') {
        if (excludedCodes.size === 0) return null;
        excluded = new Set(event.entries.filter((e) => excludedCodes.has(e.orderWarning)).map((e) => e.symbol));
        excludedSorted = sortedFrozen(excluded);
      } else {
        return null;
      }
      return refresh();
    },
    refresh,
    current: () => membersSorted,
    programTop: () => topSorted,
    watchlist: () => watchSorted,
    leftOut: () => leftOut,
    excluded: () => excludedSorted,
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
