import { kstDayIndex } from '../core/kst.js';
import type { IndicativeEvent, TradeEvent } from '../core/market.js';
import type { SymbolSnapshot } from '../core/snapshot.js';

/** A snapshot with nothing known yet. */
export function emptySnapshot(symbol: string): SymbolSnapshot {
  return Object.freeze({
    symbol,
    lastPrice: null,
    open: null,
    high: null,
    low: null,
    cumVolume: 0,
    vwap: null,
    vwapVolume: 0,
    lastTradeTs: null,
    indicativePrice: null,
    programRank: null,
    programMarket: null,
    programNetBuyAmount: null,
    inWatchlist: false,
  });
}

/**
 * Pure: the snapshot after a 0B trade. Day fields and the VWAP restart when the trade is on a later
 * KST day than the previous one. The VWAP is accumulated from trades (see SymbolSnapshot for why).
 */
export function applyTrade(prev: SymbolSnapshot, e: TradeEvent): SymbolSnapshot {
  const newDay = prev.lastTradeTs === null || kstDayIndex(e.tsEvent) !== kstDayIndex(prev.lastTradeTs);
  const base = newDay ? { open: null, high: null, low: null, vwap: null, vwapVolume: 0 } : prev;
  const volume = e.volume > 0 ? e.volume : 0;
  const vwapVolume = base.vwapVolume + volume;
  let vwap = base.vwap;
  if (volume > 0) vwap = ((base.vwap ?? 0) * base.vwapVolume + e.price * volume) / vwapVolume;
  else if (vwap === null) vwap = e.price;
  return Object.freeze({
    ...prev,
    lastPrice: e.price,
    // The venue's day fields cover the whole day; track from prices only when they are absent.
    open: e.open > 0 ? e.open : (base.open ?? e.price),
    high: e.high > 0 ? e.high : Math.max(base.high ?? e.price, e.price),
    low: e.low > 0 ? e.low : Math.min(base.low ?? e.price, e.price),
    cumVolume: e.cumVolume > 0 ? e.cumVolume : (newDay ? 0 : prev.cumVolume) + volume,
    vwap,
    vwapVolume,
    lastTradeTs: e.tsEvent,
  });
}

/** Pure: the snapshot after a 0A 주식기세 (the last trade price is left alone). */
export function applyIndicative(prev: SymbolSnapshot, e: IndicativeEvent): SymbolSnapshot {
  return Object.freeze({ ...prev, indicativePrice: e.price });
}
