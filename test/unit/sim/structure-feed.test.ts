import { describe, expect, it } from 'vitest';
import { decodeEntry, isDecodeFailure, kstDayStart } from '../../../src/adapters/kiwoom/realtime-decoder.js';
import { kstToEpoch } from '../../../src/core/kst.js';
import type { BookEvent, MarketEvent, ProgramFlowEvent, ViEvent } from '../../../src/core/market.js';
import { createRandom } from '../../../src/core/random.js';
import { tickSize, tickUp } from '../../../src/sim/format.js';
import { SimMarketState } from '../../../src/sim/market.js';
import { bookOf, bookValues, programValues, stockInfoValues, structureEntry, ViTracker } from '../../../src/sim/structure-feed.js';

const START = kstToEpoch(2026, 11, 20, 10, 0, 0);

const decode = (type: '0g' | '0w' | '0D' | '1h', item: string, values: string, at = START): MarketEvent => {
  const e = decodeEntry(JSON.parse(structureEntry(type, item, values)), at, kstDayStart(at));
  if (isDecodeFailure(e)) throw new Error(e.reason);
  return e;
};

describe('simulator 0g/0w/0D/1h', () => {
  const market = new SimMarketState(createRandom('structure'), 200, START);
  const s = market.byCode.get('005930')!;

  it('0g: limits from the reference price (the previous close)', () => {
    expect(decode('0g', '005930', stockInfoValues(s))).toMatchObject({ kind: 'stock-info', upperLimit: s.upper, lowerLimit: s.lower, referencePrice: s.prevClose });
  });

  it('0w: the program flows that rank ka90003, the change since the previous entry', () => {
    const first = decode('0w', '005930', programValues(s, '100000', undefined)) as ProgramFlowEvent;
    const row = market.programRanking(s.market === 'KOSPI' ? 'P00101' : 'P10102', 1000).find((r) => r.code === '005930')!;
    expect(first.netAmount).toBe(Math.trunc(row.buyAmount / 1e6) - Math.trunc(row.sellAmount / 1e6));
    expect(first.buyAmount).toBe(Math.trunc(row.buyAmount / 1e6));
    expect(first.netAmountChange).toBe(0);
    const before = { qty: first.netQuantity, amount: first.netAmount };
    for (let i = 0; i < 30; i++) market.stepSecond(START + i * 1000);
    const next = decode('0w', '005930', programValues(s, '100030', before)) as ProgramFlowEvent;
    expect(next.netAmountChange).toBe(next.netAmount - first.netAmount);
  });

  it('0D: ten levels around the last price on the tick grid, totals that add up, split depth only on _AL', () => {
    const bare = decode('0D', '005930', bookValues(s, bookOf(s, 1), '100000', undefined, false)) as BookEvent;
    expect(bare.asks[0]!.price).toBe(Math.min(tickUp(s.price), s.upper));
    expect(bare.bids[0]!.price).toBe(s.price);
    for (const l of [...bare.asks, ...bare.bids]) if (l.price > 0) expect(l.price % tickSize(l.price)).toBe(0);
    expect(bare.totalAsk).toBe(bare.asks.reduce((a, l) => a + l.quantity, 0));
    expect([bare.krx, bare.nxt]).toEqual([null, null]);
    const al = decode('0D', '005930_AL', bookValues(s, bookOf(s, 1), '100000', undefined, true)) as BookEvent;
    expect(al.krx!.totalAsk + al.nxt!.totalAsk).toBe(al.totalAsk);
  });

  it('0D: the ask side thins near the upper limit and is empty past it', () => {
    const m = new SimMarketState(createRandom('thin'), 50, START);
    const x = m.stocks[3]!;
    const far = bookOf(x, 7).totalAsk;
    x.price = x.upper;
    const at = bookOf(x, 7);
    expect(at.asks.every((l) => l.price === 0 && l.qty === 0)).toBe(true);
    x.price = x.upper - 3 * tickSize(x.upper - 3 * tickSize(x.upper));
    expect(bookOf(x, 7).totalAsk).toBeLessThan(far);
  });

  it('1h: a static VI when the price moves 10 % from the reference, released 2 minutes later', () => {
    const m = new SimMarketState(createRandom('vi'), 50, START);
    const x = m.stocks[5]!;
    const vi = new ViTracker();
    expect(vi.step(x, START, '100000')).toBeNull();
    const ref = x.open;
    x.price = Math.min(x.upper, ref + Math.ceil((ref * 0.1) / tickSize(ref)) * tickSize(ref) + tickSize(ref));
    const trig = decode('1h', '', `"9001":"${x.code}",${vi.step(x, START + 1000, '100001')}`) as ViEvent;
    expect(trig).toMatchObject({ kind: 'vi', symbol: x.code, phase: 'trigger', direction: 'up', viType: 'static', triggerPrice: x.price, staticReference: ref, count: 1, releaseTime: null });
    expect(vi.step(x, START + 60_000, '100100')).toBeNull();
    const rel = decode('1h', x.code, `"9001":"${x.code}",${vi.step(x, START + 121_000, '100201')}`) as ViEvent;
    expect(rel).toMatchObject({ phase: 'release', releaseTime: 10 * 3600 + 2 * 60 + 1, count: 1 });
    // The release price is the next reference: no new VI at the same price.
    expect(vi.step(x, START + 122_000, '100202')).toBeNull();
  });
});
