import type { TradeSeries } from '../recorded-market.js';

/** One bar rebuilt from trades; `time` is the bar's start, epoch ms. */
export interface Candle {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** The bar a time falls in: bars start on whole multiples of the period (KST has no DST, minutes align). */
export function barStart(t: number, periodMs: number): number {
  return Math.floor(t / periodMs) * periodMs;
}

/** OHLCV bars of `periodMs` from trades (ascending); bars without a trade are left out. */
export function buildCandles(trades: TradeSeries, periodMs: number): Candle[] {
  const out: Candle[] = [];
  let cur: { time: number; open: number; high: number; low: number; close: number; volume: number } | null = null;
  for (let i = 0; i < trades.t.length; i++) {
    const time = barStart(trades.t[i]!, periodMs);
    const p = trades.price[i]!;
    if (cur === null || cur.time !== time) {
      if (cur) out.push(cur);
      cur = { time, open: p, high: p, low: p, close: p, volume: 0 };
    }
    if (p > cur.high) cur.high = p;
    if (p < cur.low) cur.low = p;
    cur.close = p;
    cur.volume += trades.volume[i]!;
  }
  if (cur) out.push(cur);
  return out;
}
