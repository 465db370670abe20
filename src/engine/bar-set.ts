import { createBarAggregator, type Bar, type BarAggregator } from '../core/bars.js';

// The host's bars across reloads. An aggregator's intervals are fixed at creation; a reload that adds
// intervals gets a new aggregator for just those, so the bars (open and closed) of the intervals
// already running carry on untouched for the strategies that did not change.

/**
 * One aggregator for the union of `intervals`, reusing `previous` (its intervals keep their open and
 * closed bars) and adding one aggregator for the intervals it lacks. An aggregator none of whose
 * intervals is wanted any more is dropped. Null when no interval is wanted. With a single aggregator
 * that aggregator itself is returned (the hot path pays nothing for reloads that never happened).
 */
export function barsFor(intervals: readonly string[], previous: BarAggregator | null): BarAggregator | null {
  const wanted = new Set(intervals);
  const kept = partsOf(previous).filter((p) => p.intervals.some((i) => wanted.has(i)));
  const have = new Set(kept.flatMap((p) => p.intervals));
  const missing = [...wanted].filter((i) => !have.has(i)).sort();
  const parts = missing.length > 0 ? [...kept, { intervals: missing, bars: createBarAggregator({ intervals: missing }) }] : kept;
  if (parts.length === 0) return null;
  if (parts.length === 1) return tag(parts[0]!.bars, parts);
  return tag(joinAggregators(parts), parts);
}

interface Part {
  readonly intervals: readonly string[];
  readonly bars: BarAggregator;
}

const PARTS = new WeakMap<BarAggregator, readonly Part[]>();

function tag(bars: BarAggregator, parts: readonly Part[]): BarAggregator {
  PARTS.set(bars, parts);
  return bars;
}

function partsOf(bars: BarAggregator | null): readonly Part[] {
  if (bars === null) return [];
  const parts = PARTS.get(bars);
  if (parts === undefined) throw new Error('barsFor: an aggregator it did not make');
  return parts;
}

/** Closed bars of several aggregators in one aggregator's order: end, then symbol, venue, interval. */
function byEndThenName(a: Bar, b: Bar): number {
  return a.end - b.end || cmp(a.symbol, b.symbol) || cmp(a.venue, b.venue) || cmp(a.interval, b.interval);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function joinAggregators(parts: readonly Part[]): BarAggregator {
  const all = parts.map((p) => p.bars);
  const merged = (lists: Bar[][]): Bar[] => {
    const out = lists.flat();
    if (out.length > 1) out.sort(byEndThenName);
    return out;
  };
  const owner = (interval: string): BarAggregator | undefined => parts.find((p) => p.intervals.includes(interval))?.bars;
  return {
    onTrade: (trade) => merged(all.map((b) => b.onTrade(trade))),
    closeDue: (now) => merged(all.map((b) => b.closeDue(now))),
    nextBoundary() {
      let min: number | null = null;
      for (const b of all) {
        const n = b.nextBoundary();
        if (n !== null && (min === null || n < min)) min = n;
      }
      return min;
    },
    last: (symbol, interval, n, venue) => owner(interval)?.last(symbol, interval, n, venue) ?? [],
    drop(symbol) {
      for (const b of all) b.drop(symbol);
    },
    symbols: () => [...new Set(all.flatMap((b) => b.symbols()))],
  };
}
