import { ConfigError } from './errors.js';
import { DAY_MS, KST_OFFSET_MS } from './kst.js';

// Bars aggregated from trades on the event clock. Pure: the host feeds trades and asks for the bars
// due at each boundary (a timer), so bars close at the same instants live and in replay.

/** `1s` ... `1d`: a count and a unit; intraday intervals must divide a day. */
export type BarInterval = `${number}${'s' | 'm' | 'h' | 'd'}`;

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS } as const;

/** Interval text -> milliseconds; a ConfigError naming the text when it is not 1s..1d dividing a day. */
export function intervalMs(interval: string): number {
  const m = /^([1-9]\d{0,4})([smhd])$/.exec(interval);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : Number.NaN;
  if (!m || !(ms >= 1000 && ms <= DAY_MS) || DAY_MS % ms !== 0) {
    throw new ConfigError([`bar interval '${interval}': expected 1s to 1d, dividing a day (1s, 5s, 1m, 5m, 1h, 1d ...)`]);
  }
  return ms;
}

/** The start of the bucket holding `t`, aligned to KST midnight. */
export function bucketStart(t: number, ms: number): number {
  return Math.floor((t + KST_OFFSET_MS) / ms) * ms - KST_OFFSET_MS;
}

export interface BarTrade {
  readonly symbol: string;
  readonly venue?: string;
  readonly price: number;
  readonly quantity: number;
  /** Engine time of the trade (its tsRecv). */
  readonly at: number;
  /** An auction print (09:00 open, 15:30 close). */
  readonly auction?: boolean;
  /** Printed in an after-market phase. */
  readonly afterMarket?: boolean;
}

export interface Bar {
  readonly symbol: string;
  readonly venue: string;
  readonly interval: string;
  /** `[start, end)` on the event clock. */
  readonly start: number;
  readonly end: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** Sum of price x quantity (won). */
  readonly value: number;
  readonly vwap: number;
  readonly trades: number;
  /** Holds an auction print / an after-market trade. */
  readonly auction: boolean;
  readonly afterMarket: boolean;
}

export interface BarAggregatorOptions {
  readonly intervals: readonly string[];
  /** Leave after-market trades out of the bars (default false: kept and flagged). */
  readonly excludeAfterMarket?: boolean;
  /** Closed bars kept per symbol, venue and interval for `last()` (default 500). */
  readonly keep?: number;
}

export interface BarAggregator {
  /** Adds a trade; bars of that symbol that ended at or before it close first and are returned. */
  onTrade(trade: BarTrade): readonly Bar[];
  /** Closes every open bar whose end is at or before `now`, in end order then symbol order. */
  closeDue(now: number): readonly Bar[];
  /** The earliest end of an open bar (when to call closeDue next), or null if none is open. */
  nextBoundary(): number | null;
  /** The last `n` closed bars of a symbol (any venue unless given), oldest first. */
  last(symbol: string, interval: string, n: number, venue?: string): readonly Bar[];
  /** Forget a symbol that left the universe (its open bars are dropped unclosed). */
  drop(symbol: string): void;
  /** Symbols with open or closed bars. */
  symbols(): string[];
}

/** Nothing closed: the common answer, shared (callers only read it). */
const NONE: readonly Bar[] = Object.freeze([]);

/**
 * One symbol, venue and interval: its open bar, folded in place (no object per trade or per open
 * bar), and its closed bars. A series lives as long as its symbol.
 */
class Series {
  readonly closed: BarRing;
  isOpen = false;
  start = 0;
  end = 0;
  open = 0;
  high = 0;
  low = 0;
  close = 0;
  volume = 0;
  value = 0;
  trades = 0;
  auction = false;
  afterMarket = false;

  constructor(
    readonly symbol: string,
    readonly venue: string,
    readonly interval: string,
    /** The interval's index in the aggregator's list: compared instead of the name. */
    readonly slot: number,
    keep: number,
  ) {
    this.closed = new BarRing(keep);
  }

  begin(start: number, ms: number, price: number): void {
    this.isOpen = true;
    this.start = start;
    this.end = start + ms;
    this.open = this.high = this.low = price;
    this.volume = this.value = this.trades = 0;
    this.auction = this.afterMarket = false;
  }

  add(trade: BarTrade): void {
    const price = trade.price;
    if (price > this.high) this.high = price;
    if (price < this.low) this.low = price;
    this.close = price;
    this.volume += trade.quantity;
    this.value += price * trade.quantity;
    this.trades += 1;
    if (trade.auction) this.auction = true;
    if (trade.afterMarket) this.afterMarket = true;
  }

  /** Closes the open bar: the frozen Bar strategies see, kept for `last()`. */
  finish(): Bar {
    this.isOpen = false;
    // One literal (no spread): one hidden class for every bar a strategy sees.
    const done: Bar = Object.freeze({
      symbol: this.symbol, venue: this.venue, interval: this.interval, start: this.start, end: this.end,
      open: this.open, high: this.high, low: this.low, close: this.close, volume: this.volume, value: this.value,
      vwap: this.volume > 0 ? this.value / this.volume : this.close, trades: this.trades, auction: this.auction, afterMarket: this.afterMarket,
    });
    this.closed.push(done);
    return done;
  }
}

/**
 * @example
 * const bars = createBarAggregator({ intervals: ['1m'] });
 * bars.onTrade({ symbol: '005930', price: 70000, quantity: 10, at: t });
 * const closed = bars.closeDue(t + 60_000); // the minute's bar
 */
export function createBarAggregator(options: BarAggregatorOptions): BarAggregator {
  const intervals = [...new Set(options.intervals)].map((name) => ({ name, ms: intervalMs(name) }));
  const keep = options.keep ?? 500;
  // Per symbol, its series (venues x intervals): a trade touches only its own symbol's few series.
  const bySymbol = new Map<string, Series[]>();
  // The same lists in symbol order, each in venue then interval order: bars closed walking them
  // come out in the promised order with no sort, unless their ends differ (then a stable sort by end).
  const ordered: Series[][] = [];
  let earliestEnd: number | null = null;
  /** A drop took the series holding earliestEnd: found again when next asked (a poll drops many symbols). */
  let earliestStale = false;

  const recomputeEarliest = (): void => {
    earliestStale = false;
    earliestEnd = null;
    for (const list of ordered) for (const series of list) if (series.isOpen && (earliestEnd === null || series.end < earliestEnd)) earliestEnd = series.end;
  };

  const seriesOf = (symbol: string): Series[] => {
    let list = bySymbol.get(symbol);
    if (list) return list;
    bySymbol.set(symbol, (list = []));
    let at = ordered.length;
    while (at > 0 && cmp((ordered[at - 1] as Series[])[0]?.symbol ?? '', symbol) > 0) at--;
    ordered.splice(at, 0, list);
    return list;
  };

  const addSeries = (list: Series[], series: Series): void => {
    let at = list.length;
    while (at > 0 && (cmp((list[at - 1] as Series).venue, series.venue) || cmp((list[at - 1] as Series).interval, series.interval)) > 0) at--;
    list.splice(at, 0, series);
  };

  const byEnd = (a: Bar, b: Bar): number => a.end - b.end;
  const inEndOrder = (due: Bar[]): Bar[] => {
    const end = (due[0] as Bar).end;
    for (const bar of due) if (bar.end !== end) return due.sort(byEnd); // stable: names stay in order
    return due;
  };

  /** Closes every open bar ending at or before `now`, and sets earliestEnd from the others. */
  const closeAll = (now: number): Bar[] => {
    const due: Bar[] = [];
    let earliest: number | null = null;
    for (const list of ordered) {
      for (const series of list) {
        if (!series.isOpen) continue;
        if (series.end <= now) due.push(series.finish());
        else if (earliest === null || series.end < earliest) earliest = series.end;
      }
    }
    earliestEnd = earliest;
    earliestStale = false;
    return due.length > 1 ? inEndOrder(due) : due;
  };

  return {
    onTrade(trade) {
      if (!(trade.quantity > 0) || !(trade.price > 0)) return NONE;
      if (trade.afterMarket && options.excludeAfterMarket) return NONE;
      const venue = trade.venue ?? 'KRX';
      const list = seriesOf(trade.symbol);
      let due: Bar[] | null = null;
      for (const series of list) if (series.isOpen && series.end <= trade.at) (due ??= []).push(series.finish());
      if (due !== null && due.length > 1) inEndOrder(due);
      for (let slot = 0; slot < intervals.length; slot++) {
        const { name, ms } = intervals[slot] as { name: string; ms: number };
        let series: Series | undefined;
        for (const s of list) if (s.slot === slot && s.venue === venue) series = s;
        if (!series) addSeries(list, (series = new Series(trade.symbol, venue, name, slot, keep)));
        if (!series.isOpen) {
          series.begin(bucketStart(trade.at, ms), ms, trade.price);
          if (earliestEnd === null || series.end < earliestEnd) earliestEnd = series.end;
        }
        series.add(trade);
      }
      return due ?? NONE;
    },
    closeDue(now) {
      if (earliestStale) recomputeEarliest();
      if (earliestEnd === null || earliestEnd > now) return NONE;
      return closeAll(now);
    },
    nextBoundary: () => {
      if (earliestStale) recomputeEarliest();
      return earliestEnd;
    },
    last(symbol, interval, n, venue) {
      const list = bySymbol.get(symbol);
      if (!list || !(n > 0)) return NONE;
      let all: Bar[] | null = null;
      let series = 0;
      for (const s of list) {
        if (s.interval !== interval || s.closed.size === 0) continue;
        if (venue !== undefined) {
          if (s.venue === venue) return s.closed.last(n);
          continue;
        }
        const bars = s.closed.last(n);
        all = all === null ? bars : all.concat(bars);
        series++;
      }
      if (all === null) return NONE;
      if (series > 1) all.sort((a, b) => a.end - b.end || cmp(a.venue, b.venue));
      return all.length > n ? all.slice(all.length - n) : all;
    },
    symbols: () => [...bySymbol.keys()],
    drop(symbol) {
      const list = bySymbol.get(symbol);
      if (!list) return;
      ordered.splice(ordered.indexOf(list), 1);
      bySymbol.delete(symbol);
      if (list.some((series) => series.isOpen && series.end === earliestEnd)) earliestStale = true;
    },
  };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The last `capacity` closed bars of one series, without shifting arrays as bars arrive. */
class BarRing {
  private readonly items: Bar[] = [];
  private head = 0; // the oldest item once full

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  push(bar: Bar): void {
    if (this.items.length < this.capacity) this.items.push(bar);
    else {
      this.items[this.head] = bar;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  /** The newest `n`, oldest first. */
  last(n: number): Bar[] {
    const size = this.items.length;
    const count = Math.min(n, size);
    const out = new Array<Bar>(count);
    for (let i = 0; i < count; i++) out[i] = this.items[(this.head + size - count + i) % size] as Bar;
    return out;
  }
}
