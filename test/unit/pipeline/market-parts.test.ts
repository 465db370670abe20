import { describe, expect, it } from 'vitest';
import { decodeEntry, isDecodeFailure, kstDayStart } from '../../../src/adapters/kiwoom/realtime-decoder.js';
import type { MarketEvent } from '../../../src/core/market.js';
import { createMarketBook } from '../../../src/pipeline/market-book.js';
import { form0g, real0D, real0w, real1h, type MarketEntryObject } from '../../support/real-market-frames.js';

const T = Date.UTC(2026, 10, 20, 1, 15, 0);

const decoded = (entry: MarketEntryObject, at = T): MarketEvent => {
  const e = decodeEntry(entry, at, kstDayStart(at));
  if (isDecodeFailure(e)) throw new Error(e.reason);
  return e;
};

describe('snapshot parts from 0g/0w/0D/1h', () => {
  it('limits, program, book and vi each with the time they were last updated', () => {
    const book = createMarketBook();
    book.apply(decoded(form0g()));
    book.apply(decoded(real0w()));
    book.apply(decoded(real0D()));
    const s = book.snapshot('005930')!;
    expect(s.limits).toEqual({ upper: 399000, lower: 215000, reference: 307000, updatedAt: T });
    expect(s.program).toMatchObject({ netQuantity: -1281060, netAmount: -388726, netAmountChange: 1426, updatedAt: Date.UTC(2026, 10, 20, 1, 14, 40) });
    expect(s.book).toMatchObject({ totalAsk: 145000, totalBid: 454549, expectedPrice: 0, updatedAt: Date.UTC(2026, 10, 20, 1, 14, 40) });
    expect(s.book!.asks[0]).toEqual({ price: 307500, quantity: 1000 });
    expect(Object.isFrozen(s.book!.asks) && Object.isFrozen(s.book!.asks[0])).toBe(true);
    expect(s.vi).toBeNull();
    expect(s.lastPrice).toBeNull(); // a 0w quote is not a trade
  });

  it('vi: active after a trigger (either item form), released by the release entry', () => {
    const book = createMarketBook();
    book.apply(decoded(real1h()));
    book.apply(decoded(real1h({ '9001': '066310' }, '066310')));
    expect(book.snapshot('066310')!.vi).toMatchObject({ active: true, direction: 'down', viType: 'static', triggerPrice: 11230, count: 1, releaseTime: null });
    const later = T + 120_000;
    book.apply(decoded(real1h({ '1224': '103634' }), later));
    expect(book.snapshot('066310')!.vi).toMatchObject({ active: false, releaseTime: 38194, updatedAt: later });
  });
});
