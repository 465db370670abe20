import { describe, expect, it } from 'vitest';
import { createMarketBook } from '../../../src/pipeline/market-book.js';
import { applyTrade, emptySnapshot } from '../../../src/pipeline/snapshot.js';
import { T0, indicative, ranking, trade, watchlist } from '../engine/fixtures.js';

describe('snapshot updater', () => {
  it('accumulates VWAP from trades and tracks day fields', () => {
    let s = emptySnapshot('005930');
    s = applyTrade(s, trade({ price: 100, volume: 10, ts: T0 }));
    s = applyTrade(s, trade({ price: 110, volume: 30, ts: T0 + 1000 }));
    s = applyTrade(s, trade({ price: 90, volume: 10, ts: T0 + 2000 }));
    expect(s).toMatchObject({ lastPrice: 90, open: 100, high: 110, low: 90, cumVolume: 50, vwapVolume: 50, lastTradeTs: T0 + 2000 });
    expect(s.vwap).toBeCloseTo((100 * 10 + 110 * 30 + 90 * 10) / 50, 9);
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('prefers the venue day open/high/low and cumulative volume when present', () => {
    const s = applyTrade(emptySnapshot('005930'), trade({ price: 100, ts: T0, open: 95, high: 120, low: 80, cumVolume: 5000 }));
    expect(s).toMatchObject({ open: 95, high: 120, low: 80, cumVolume: 5000 });
  });

  it('restarts day fields and VWAP on a new KST day', () => {
    let s = applyTrade(emptySnapshot('005930'), trade({ price: 100, volume: 10, ts: T0 }));
    s = applyTrade(s, trade({ price: 200, volume: 10, ts: T0 + 86_400_000 }));
    expect(s).toMatchObject({ open: 200, high: 200, low: 200, vwap: 200, vwapVolume: 10, cumVolume: 10 });
  });
});

describe('market book', () => {
  it('keeps trade and indicative prices apart', () => {
    const book = createMarketBook();
    book.apply(trade({ price: 100, ts: T0 }));
    book.apply(indicative({ price: 130, ts: T0 + 1 }));
    expect(book.snapshot('005930')).toMatchObject({ lastPrice: 100, indicativePrice: 130 });
    expect(book.snapshot('000000')).toBeUndefined();
  });

  it('tracks ranking membership per market and keeps the last net-buy amount after leaving', () => {
    const book = createMarketBook({ staticSymbols: ['999999'] });
    book.apply(ranking('P00101', ['000010', '000020'], T0));
    book.apply(ranking('P10102', ['300000'], T0));
    expect(book.snapshot('000020')).toMatchObject({ programRank: 2, programMarket: 'P00101', programNetBuyAmount: 10 });
    book.apply(ranking('P00101', ['000020'], T0 + 30_000));
    expect(book.snapshot('000020')).toMatchObject({ programRank: 1, programNetBuyAmount: 10 });
    expect(book.snapshot('000010')).toMatchObject({ programRank: null, programMarket: null, programNetBuyAmount: 20 });
    expect(book.snapshot('300000')?.programRank).toBe(1);
    expect(book.programTop()).toEqual(['000020', '300000']);
    expect(book.universe()).toEqual(['000020', '300000', '999999']);
  });

  it('tracks watchlist membership', () => {
    const book = createMarketBook();
    book.apply(watchlist(['000010', '000020'], T0));
    book.apply(watchlist(['000020'], T0 + 1));
    expect(book.snapshot('000010')?.inWatchlist).toBe(false);
    expect(book.snapshot('000020')?.inWatchlist).toBe(true);
    expect(book.watchlist()).toEqual(['000020']);
  });
});
