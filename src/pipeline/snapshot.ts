import { kstDayIndex } from '../core/kst.js';
import type { BasicInfoEvent, BookEvent, Exchange, IndicativeEvent, ProgramFlowEvent, StockInfoEvent, TradeEvent, ViEvent } from '../core/market.js';
import type { SymbolSnapshot } from '../core/snapshot.js';

/** A snapshot with nothing known yet. */
export function emptySnapshot(symbol: string, venue: Exchange = 'KRX'): SymbolSnapshot {
  return Object.freeze({
    symbol,
    venue,
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
    limits: null,
    program: null,
    book: null,
    vi: null,
    info: null,
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
  // Every field written out (not `...prev`): the hot path's one allocation per trade, in the shape of
  // emptySnapshot's, without the spread's per-property copy (a field added to SymbolSnapshot fails here).
  return Object.freeze({
    symbol: prev.symbol,
    venue: prev.venue,
    lastPrice: e.price,
    // The venue's day fields cover the whole day; track from prices only when they are absent.
    open: e.open > 0 ? e.open : (base.open ?? e.price),
    high: e.high > 0 ? e.high : Math.max(base.high ?? e.price, e.price),
    low: e.low > 0 ? e.low : Math.min(base.low ?? e.price, e.price),
    cumVolume: e.cumVolume > 0 ? e.cumVolume : (newDay ? 0 : prev.cumVolume) + volume,
    vwap,
    vwapVolume,
    lastTradeTs: e.tsEvent,
    indicativePrice: prev.indicativePrice,
    programRank: prev.programRank,
    programMarket: prev.programMarket,
    programNetBuyAmount: prev.programNetBuyAmount,
    inWatchlist: prev.inWatchlist,
    limits: prev.limits,
    program: prev.program,
    book: prev.book,
    vi: prev.vi,
    info: prev.info,
  } satisfies Record<keyof SymbolSnapshot, unknown>);
}

/** Pure: the snapshot after a 0A 주식기세 (the last trade price is left alone). */
export function applyIndicative(prev: SymbolSnapshot, e: IndicativeEvent): SymbolSnapshot {
  return Object.freeze({ ...prev, indicativePrice: e.price });
}

/** Pure: the snapshot after a 0g (limits and reference price). */
export function applyStockInfo(prev: SymbolSnapshot, e: StockInfoEvent): SymbolSnapshot {
  return Object.freeze({ ...prev, limits: Object.freeze({ upper: e.upperLimit, lower: e.lowerLimit, reference: e.referencePrice, updatedAt: e.tsEvent }) });
}

/** Pure: the snapshot after a 0w (the day's program figures). */
export function applyProgramFlow(prev: SymbolSnapshot, e: ProgramFlowEvent): SymbolSnapshot {
  const program = Object.freeze({
    buyQuantity: e.buyQuantity,
    sellQuantity: e.sellQuantity,
    netQuantity: e.netQuantity,
    buyAmount: e.buyAmount,
    sellAmount: e.sellAmount,
    netAmount: e.netAmount,
    netAmountChange: e.netAmountChange,
    updatedAt: e.tsEvent,
  });
  return Object.freeze({ ...prev, program });
}

/** Pure: the snapshot after a 0D (the event's level arrays are frozen with it). */
export function applyBook(prev: SymbolSnapshot, e: BookEvent): SymbolSnapshot {
  const book = Object.freeze({
    asks: Object.freeze(e.asks.map((l) => Object.freeze({ ...l }))),
    bids: Object.freeze(e.bids.map((l) => Object.freeze({ ...l }))),
    totalAsk: e.totalAsk,
    totalBid: e.totalBid,
    expectedPrice: e.expectedPrice,
    updatedAt: e.tsEvent,
  });
  return Object.freeze({ ...prev, book });
}

/**
 * Pure: the snapshot after a 1h. The same VI comes once per registered item (`066310_AL` and `066310`,
 * protocol.md 10.3): applying the copy changes nothing but `updatedAt`.
 */
export function applyVi(prev: SymbolSnapshot, e: ViEvent): SymbolSnapshot {
  const vi = Object.freeze({
    active: e.phase === 'trigger',
    viType: e.viType,
    direction: e.direction,
    triggerPrice: e.triggerPrice,
    staticReference: e.staticReference,
    count: e.count,
    releaseTime: e.releaseTime,
    updatedAt: e.tsEvent,
  });
  return Object.freeze({ ...prev, vi });
}

/** Pure: the snapshot after a ka10001 answer (`.info`, stamped with the answer's arrival). */
export function applyBasicInfo(prev: SymbolSnapshot, e: BasicInfoEvent): SymbolSnapshot {
  const { kind: _kind, symbol: _symbol, tsEvent, tsRecv: _tsRecv, ...figures } = e;
  return Object.freeze({ ...prev, info: Object.freeze({ ...figures, updatedAt: tsEvent }) });
}
