import type { BookEvent, ProgramFlowEvent, StockInfoEvent, ViEvent } from '../../../src/core/market.js';

/** Domain events of the 0w/1h/0g/0D decoders, for strategy tests (events in, signals out). */
export function programFlow(p: { symbol?: string; net: number; change?: number; price?: number; ts: number }): ProgramFlowEvent {
  const buy = 50_000 + Math.max(0, p.net);
  const sell = buy - p.net;
  return {
    kind: 'program-flow', symbol: p.symbol ?? '005930', venue: 'KRX', price: p.price ?? 10_000, change: 0, changeRate: 0, cumVolume: 0,
    sellQuantity: sell * 100, sellAmount: sell, buyQuantity: buy * 100, buyAmount: buy, netQuantity: p.net * 100, netAmount: p.net,
    netQuantityChange: (p.change ?? 0) * 100, netAmountChange: p.change ?? 0, tsEvent: p.ts, tsRecv: p.ts,
  };
}

export function vi(p: { symbol?: string; phase: 'trigger' | 'release'; direction?: 'up' | 'down'; venue?: 'KRX' | 'SOR'; price?: number; ts: number; releaseTime?: number }): ViEvent {
  return {
    kind: 'vi', symbol: p.symbol ?? '066310', venue: p.venue ?? 'KRX', phase: p.phase, viType: 'static', direction: p.direction ?? 'up',
    triggerPrice: p.price ?? 11_000, staticReference: 10_000, dynamicReference: 0, staticDeviation: 10, dynamicDeviation: 0, changeRate: 10, count: 1,
    triggerTime: 36_000, releaseTime: p.phase === 'release' ? (p.releaseTime ?? 36_120) : null, tsEvent: p.ts, tsRecv: p.ts,
  };
}

export function stockInfo(p: { symbol?: string; upper: number; lower: number; reference: number; ts: number }): StockInfoEvent {
  return {
    kind: 'stock-info', symbol: p.symbol ?? '005930', venue: 'KRX', upperLimit: p.upper, lowerLimit: p.lower, referencePrice: p.reference,
    extension: '0', openingExtension: '0', closingExtension: '0', tsEvent: p.ts, tsRecv: p.ts,
  };
}

export function book(p: { symbol?: string; totalAsk: number; totalBid?: number; ts: number }): BookEvent {
  const levels = (q: number) => Array.from({ length: 10 }, (_, i) => ({ price: 10_000 + i * 10, quantity: Math.round(q / 10) }));
  return {
    kind: 'book', symbol: p.symbol ?? '005930', venue: 'KRX', asks: levels(p.totalAsk), bids: levels(p.totalBid ?? 10_000),
    totalAsk: p.totalAsk, totalBid: p.totalBid ?? 10_000, totalAskChange: 0, totalBidChange: 0, expectedPrice: 0, expectedQuantity: 0,
    krx: null, nxt: null, tsEvent: p.ts, tsRecv: p.ts,
  };
}
