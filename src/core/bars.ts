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
  onTrade(trade: BarTrade): Bar[];
  /** Closes every open bar whose end is at or before `now`, in end order then symbol order. */
  closeDue(now: number): Bar[];
  /** The earliest end of an open bar (when to call closeDue next), or null if none is open. */
  nextBoundary(): number | null;
  /** The last `n` closed bars of a symbol (any venue unless given), oldest first. */
  last(symbol: string, interval: string, n: number, venue?: string): readonly Bar[];
  /** Forget a symbol that left the universe (its open bars are dropped unclosed). */
  drop(symbol: string): void;
  /** Symbols with open or closed bars. */
  symbols(): string[];
}

interface OpenBar {
  symbol: string;
  venue: string;
  interval: string;
  start: number;
  end: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  value: number;
  trades: number;
  auction: boolean;
  afterMarket: boolean;
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
  // Per symbol, its open bars (venues x intervals): a trade touches only its own symbol's few bars.
  const open = new Map<string, OpenBar[]>();
  const closed = new Map<string, Map<string, BarRing>>(); // symbol -> `${venue}|${interval}` -> bars
  let earliestEnd: number | null = null;

  const finish = (bar: OpenBar): Bar => {
    // One literal (no spread): one hidden class for every bar a strategy sees.
    const done: Bar = {
      symbol: bar.symbol, venue: bar.venue, interval: bar.interval, start: bar.start, end: bar.end,
      open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume, value: bar.value,
      vwap: bar.volume > 0 ? bar.value / bar.volume : bar.close, trades: bar.trades, auction: bar.auction, afterMarket: bar.afterMarket,
    };
    let bySeries = closed.get(bar.symbol);
    if (!bySeries) closed.set(bar.symbol, (bySeries = new Map()));
    const key = `${bar.venue}|${bar.interval}`;
    let ring = bySeries.get(key);
    if (!ring) bySeries.set(key, (ring = new BarRing(keep)));
    ring.push(done);
    return done;
  };

  /** Removes and returns the bars of a list that ended at or before `now`. */
  const takeDue = (bars: OpenBar[], now: number, into: OpenBar[]): void => {
    let w = 0;
    for (const bar of bars) {
      if (bar.end <= now) into.push(bar);
      else bars[w++] = bar;
    }
    bars.length = w;
  };

  const recomputeEarliest = (): void => {
    earliestEnd = null;
    for (const bars of open.values()) for (const bar of bars) if (earliestEnd === null || bar.end < earliestEnd) earliestEnd = bar.end;
  };

  const byEndThenName = (a: OpenBar, b: OpenBar): number =>
    a.end - b.end || cmp(a.symbol, b.symbol) || cmp(a.venue, b.venue) || cmp(a.interval, b.interval);

  return {
    onTrade(trade) {
      if (!(trade.quantity > 0) || !(trade.price > 0)) return [];
      if (trade.afterMarket && options.excludeAfterMarket) return [];
      const venue = trade.venue ?? 'KRX';
      let bars = open.get(trade.symbol);
      if (!bars) open.set(trade.symbol, (bars = []));
      const due: OpenBar[] = [];
      takeDue(bars, trade.at, due);
      if (due.length > 1) due.sort(byEndThenName);
      for (const { name, ms } of intervals) {
        let bar: OpenBar | undefined;
        for (const b of bars) if (b.interval === name && b.venue === venue) bar = b;
        if (!bar) {
          const start = bucketStart(trade.at, ms);
          bar = { symbol: trade.symbol, venue, interval: name, start, end: start + ms, open: trade.price, high: trade.price, low: trade.price, close: trade.price, volume: 0, value: 0, trades: 0, auction: false, afterMarket: false };
          bars.push(bar);
          if (earliestEnd === null || bar.end < earliestEnd) earliestEnd = bar.end;
        }
        if (trade.price > bar.high) bar.high = trade.price;
        if (trade.price < bar.low) bar.low = trade.price;
        bar.close = trade.price;
        bar.volume += trade.quantity;
        bar.value += trade.price * trade.quantity;
        bar.trades += 1;
        if (trade.auction) bar.auction = true;
        if (trade.afterMarket) bar.afterMarket = true;
      }
      return due.map(finish);
    },
    closeDue(now) {
      if (earliestEnd === null || earliestEnd > now) return [];
      const due: OpenBar[] = [];
      for (const bars of open.values()) takeDue(bars, now, due);
      recomputeEarliest();
      return due.sort(byEndThenName).map(finish);
    },
    nextBoundary: () => earliestEnd,
    last(symbol, interval, n, venue) {
      const bySeries = closed.get(symbol);
      if (!bySeries || !(n > 0)) return [];
      if (venue !== undefined) return bySeries.get(`${venue}|${interval}`)?.last(n) ?? [];
      const all: Bar[] = [];
      let series = 0;
      for (const [key, ring] of bySeries) {
        if (!key.endsWith(`|${interval}`)) continue;
        all.push(...ring.last(n));
        series++;
      }
      if (series > 1) all.sort((a, b) => a.end - b.end || cmp(a.venue, b.venue));
      return all.length > n ? all.slice(all.length - n) : all;
    },
    symbols: () => [...new Set([...open.keys(), ...closed.keys()])],
    drop(symbol) {
      open.delete(symbol);
      closed.delete(symbol);
      recomputeEarliest();
    },
  };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The last `capacity` closed bars of one series, without shifting arrays as bars arrive. */
class BarRing {
  private readonly items: Bar[] = [];
  private head = 0; // the oldest item once full

  constructor(private readonly capacity: number) {}

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
