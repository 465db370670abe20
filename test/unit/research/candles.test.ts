import { describe, expect, it } from 'vitest';
import { barStart, buildCandles } from '../../../src/research/ui/candles.js';

describe('candles from trades', () => {
  it('builds OHLCV bars on whole periods and leaves out bars without a trade', () => {
    const trades = { t: [60_000, 61_000, 119_999, 120_000, 300_500], price: [10, 12, 9, 11, 15], volume: [1, 2, 3, 4, 5] };
    expect(buildCandles(trades, 60_000)).toEqual([
      { time: 60_000, open: 10, high: 12, low: 9, close: 9, volume: 6 },
      { time: 120_000, open: 11, high: 11, low: 11, close: 11, volume: 4 },
      { time: 300_000, open: 15, high: 15, low: 15, close: 15, volume: 5 },
    ]);
    expect(buildCandles(trades, 300_000).map((c) => [c.time, c.open, c.high, c.low, c.close, c.volume])).toEqual([
      [0, 10, 12, 9, 11, 10],
      [300_000, 15, 15, 15, 15, 5],
    ]);
    expect(buildCandles({ t: [], price: [], volume: [] }, 60_000)).toEqual([]);
    expect(barStart(119_999, 60_000)).toBe(60_000);
  });
});
