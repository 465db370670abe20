import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketStart, createBarAggregator, intervalMs, type Bar, type BarTrade } from '../../../src/core/bars.js';
import { ConfigError } from '../../../src/core/errors.js';
import { kstToEpoch } from '../../../src/core/kst.js';

const T0 = kstToEpoch(2026, 12, 7, 9, 0);

/** The naive reference: group every trade by (symbol, venue, interval, bucket) and fold. */
function reference(trades: readonly BarTrade[], intervals: readonly string[]): Bar[] {
  const groups = new Map<string, BarTrade[]>();
  for (const t of trades) {
    for (const name of intervals) {
      const ms = intervalMs(name);
      const key = `${t.symbol}|${t.venue ?? 'KRX'}|${name}|${bucketStart(t.at, ms)}`;
      groups.set(key, [...(groups.get(key) ?? []), t]);
    }
  }
  const bars: Bar[] = [];
  for (const [key, list] of groups) {
    const [symbol = '', venue = '', interval = '', start = '0'] = key.split('|');
    const volume = list.reduce((s, t) => s + t.quantity, 0);
    const value = list.reduce((s, t) => s + t.price * t.quantity, 0);
    bars.push({
      symbol, venue, interval, start: Number(start), end: Number(start) + intervalMs(interval),
      open: list[0]!.price, high: Math.max(...list.map((t) => t.price)), low: Math.min(...list.map((t) => t.price)),
      close: list[list.length - 1]!.price, volume, value, vwap: value / volume, trades: list.length,
      auction: list.some((t) => t.auction === true), afterMarket: list.some((t) => t.afterMarket === true),
    });
  }
  return bars;
}

const key = (b: Bar): string => `${b.symbol}|${b.venue}|${b.interval}|${b.start}`;

describe('bars', () => {
  it('parses 1s..1d intervals that divide a day and refuses the rest', () => {
    expect(intervalMs('1s')).toBe(1000);
    expect(intervalMs('5m')).toBe(300_000);
    expect(intervalMs('1d')).toBe(86_400_000);
    for (const bad of ['0s', '7m', '2d', '1w', '500ms', '1.5m', '']) expect(() => intervalMs(bad)).toThrow(ConfigError);
  });

  it('aligns days to KST midnight', () => {
    expect(bucketStart(T0 + 5 * 3_600_000, 86_400_000)).toBe(kstToEpoch(2026, 12, 7, 0, 0));
  });

  it('closes a bar at its boundary without a later trade, flags auction and after-market prints', () => {
    const bars = createBarAggregator({ intervals: ['1m'] });
    bars.onTrade({ symbol: 'A', price: 100, quantity: 5, at: T0, auction: true });
    bars.onTrade({ symbol: 'A', price: 110, quantity: 5, at: T0 + 30_000 });
    expect(bars.nextBoundary()).toBe(T0 + 60_000);
    expect(bars.closeDue(T0 + 59_999)).toEqual([]);
    const [bar] = bars.closeDue(T0 + 60_000);
    expect(bar).toMatchObject({ open: 100, high: 110, low: 100, close: 110, volume: 10, vwap: 105, trades: 2, auction: true, afterMarket: false });
    expect(Object.isFrozen(bar)).toBe(true); // shared by every strategy and by last(): the host relies on it
    expect(bars.nextBoundary()).toBeNull();
    expect(bars.last('A', '1m', 5)).toEqual([bar]);
    const excluded = createBarAggregator({ intervals: ['1m'], excludeAfterMarket: true });
    excluded.onTrade({ symbol: 'A', price: 100, quantity: 5, at: T0, afterMarket: true });
    expect(excluded.nextBoundary()).toBeNull();
  });

  it('ignores trades with a non-positive price or quantity and keeps at most `keep` closed bars', () => {
    const bars = createBarAggregator({ intervals: ['1s'], keep: 3 });
    bars.onTrade({ symbol: 'A', price: 0, quantity: 5, at: T0 });
    bars.onTrade({ symbol: 'A', price: 10, quantity: 0, at: T0 });
    expect(bars.nextBoundary()).toBeNull();
    for (let i = 0; i < 10; i++) {
      bars.onTrade({ symbol: 'A', price: 10 + i, quantity: 1, at: T0 + i * 1000 });
      bars.closeDue(T0 + (i + 1) * 1000);
    }
    expect(bars.last('A', '1s', 100).map((b) => b.close)).toEqual([17, 18, 19]);
  });

  it('drop forgets a symbol: its open bars never close, the next boundary is the earliest of the others', () => {
    const bars = createBarAggregator({ intervals: ['1s', '1m'] });
    bars.onTrade({ symbol: 'A', price: 10, quantity: 1, at: T0 });
    bars.onTrade({ symbol: 'B', price: 20, quantity: 1, at: T0 + 1500 });
    bars.onTrade({ symbol: 'C', price: 30, quantity: 1, at: T0 + 2500 });
    expect(bars.nextBoundary()).toBe(T0 + 1000);
    bars.drop('A');
    bars.drop('nobody');
    expect(bars.symbols()).toEqual(['B', 'C']);
    expect(bars.nextBoundary()).toBe(T0 + 2000);
    bars.drop('B');
    expect(bars.closeDue(T0 + 2999).map((b) => b.symbol)).toEqual([]);
    expect(bars.closeDue(T0 + 60_000).map((b) => `${b.symbol} ${b.interval}`)).toEqual(['C 1s', 'C 1m']);
    expect(bars.last('A', '1s', 5)).toEqual([]);
    bars.drop('C');
    expect(bars.nextBoundary()).toBeNull();
  });

  it('property: equals the naive aggregation for any trade stream and any closing schedule', () => {
    const trade = fc.record({
      symbol: fc.constantFrom('005930', '000660', '035420'),
      venue: fc.constantFrom('KRX', 'NXT'),
      price: fc.integer({ min: 1, max: 500_000 }),
      quantity: fc.integer({ min: 1, max: 10_000 }),
      gap: fc.integer({ min: 0, max: 90_000 }),
      auction: fc.boolean(),
      closeAfter: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(trade, { maxLength: 120 }), fc.subarray(['1s', '5s', '1m', '5m', '1h', '1d'], { minLength: 1 }), (rows, intervals) => {
        const bars = createBarAggregator({ intervals, keep: 10_000 });
        const trades: BarTrade[] = [];
        const got: Bar[] = [];
        let t = T0;
        for (const r of rows) {
          t += r.gap;
          // The host's rule: due bar closes run before the event at the same or a later instant.
          got.push(...bars.closeDue(t));
          const tr: BarTrade = { symbol: r.symbol, venue: r.venue, price: r.price, quantity: r.quantity, at: t, auction: r.auction };
          trades.push(tr);
          got.push(...bars.onTrade(tr));
          if (r.closeAfter) {
            t += r.gap; // time never runs backwards: the next trade comes at or after this close
            got.push(...bars.closeDue(t));
          }
        }
        got.push(...bars.closeDue(t + 86_400_000 * 2));
        const want = reference(trades, intervals);
        expect(got.map(key).sort()).toEqual(want.map(key).sort());
        const byKey = new Map(want.map((b) => [key(b), b]));
        for (const b of got) {
          const w = byKey.get(key(b))!;
          expect(b).toEqual({ ...w, vwap: expect.closeTo(w.vwap, 6) as unknown as number });
        }
        // Closed in end order: a strategy sees bars in time order; at one end, by symbol, venue, interval.
        const order = (b: Bar): string => `${String(b.end).padStart(16, '0')}|${b.symbol}|${b.venue}|${b.interval}`;
        for (let i = 1; i < got.length; i++) expect(order(got[i]!) > order(got[i - 1]!)).toBe(true);
      }),
      { numRuns: 300, seed: 20261205 },
    );
  });
});
