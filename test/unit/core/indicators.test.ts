import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/core/bars.js';
import { indicators } from '../../../src/core/indicators.js';

const bar = (close: number, i: number, extra: Partial<Bar> = {}): Bar => ({
  symbol: 'A', venue: 'KRX', interval: '1m', start: i * 60_000, end: (i + 1) * 60_000,
  open: close, high: close, low: close, close, volume: 10, value: close * 10, vwap: close, trades: 1,
  auction: false, afterMarket: false, ...extra,
});

describe('indicators over bars', () => {
  it('sma: null and not ready until the window is full, then the mean of the last n closes', () => {
    const sma = indicators.sma(3);
    expect(sma.update(bar(10, 0))).toBeNull();
    expect(sma.update(bar(20, 1))).toBeNull();
    expect(sma.ready).toBe(false);
    expect(sma.warmup).toEqual({ seen: 2, required: 3 });
    expect(sma.update(bar(30, 2))).toBe(20);
    expect(sma.update(bar(40, 3))).toBe(30);
    expect(sma.ready).toBe(true);
  });

  it('ema seeds with the first window mean and then weights 2/(n+1)', () => {
    const ema = indicators.ema(3);
    const values = [10, 20, 30, 40].map((c, i) => ema.update(bar(c, i)));
    // trading-signals' EMA starts from the first price; after warm-up it follows k = 0.5.
    const k = 2 / 4;
    let want = 10;
    for (const c of [20, 30, 40]) want = c * k + want * (1 - k);
    expect(values[3]).toBeCloseTo(want, 9);
  });

  it('rsi is 100 on a rising series and 0 on a falling one once warm', () => {
    const up = indicators.rsi(3);
    for (let i = 0; i < 10; i++) up.update(bar(100 + i, i));
    expect(up.value).toBe(100);
    const down = indicators.rsi(3);
    for (let i = 0; i < 10; i++) down.update(bar(100 - i, i));
    expect(down.value).toBe(0);
  });

  it('bollinger bands and macd report warm-up, then values with the documented shape', () => {
    const bb = indicators.bollinger(4, 2);
    [1, 2, 3, 4].forEach((c, i) => bb.update(bar(c, i)));
    const sd = Math.sqrt((1.5 ** 2 + 0.5 ** 2 + 0.5 ** 2 + 1.5 ** 2) / 4);
    expect(bb.value).toEqual({ lower: 2.5 - 2 * sd, middle: 2.5, upper: 2.5 + 2 * sd });
    const macd = indicators.macd(2, 4, 2);
    let firstReady = -1;
    for (let i = 0; i < 20; i++) if (macd.update(bar(100 + Math.sin(i) * 5, i)) !== null && firstReady < 0) firstReady = i;
    expect(firstReady).toBeGreaterThan(0);
    expect(Object.keys(macd.value ?? {}).sort()).toEqual(['histogram', 'macd', 'signal']);
  });

  it('atr uses the true range; vwap weights the typical price by volume', () => {
    const atr = indicators.atr(2);
    atr.update(bar(10, 0, { high: 12, low: 8 }));
    atr.update(bar(11, 1, { high: 13, low: 9 }));
    atr.update(bar(12, 2, { high: 14, low: 10 }));
    expect(atr.ready).toBe(true);
    expect(atr.value).toBeGreaterThan(0);
    const vwap = indicators.vwap();
    vwap.update(bar(10, 0, { high: 10, low: 10, volume: 1 }));
    expect(vwap.update(bar(20, 1, { high: 20, low: 20, volume: 3 }))).toBeCloseTo(17.5, 9);
  });
});
