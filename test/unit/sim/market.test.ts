import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import { tickSize } from '../../../src/sim/format.js';
import { SimMarketState } from '../../../src/sim/market.js';

const START = Date.UTC(2026, 10, 21, 13, 30);

describe('sim market', () => {
  it('builds a seeded listing with distinct 6-digit codes and well-known names', () => {
    const m = new SimMarketState(createRandom(1), 2_500, START);
    expect(m.stocks).toHaveLength(2_500);
    expect(new Set(m.stocks.map((s) => s.code)).size).toBe(2_500);
    expect(new Set(m.stocks.map((s) => s.name)).size).toBe(2_500);
    expect(m.stocks.every((s) => /^\d{6}$/.test(s.code))).toBe(true);
    expect(m.byCode.get('005930')?.name).toBe('삼성전자');
    expect(m.stocksOf('KOSPI').length).toBeGreaterThan(500);
    expect(m.stocksOf('KOSDAQ').length).toBeGreaterThan(500);
    const again = new SimMarketState(createRandom(1), 2_500, START);
    expect(again.stocks.map((s) => `${s.code}${s.name}${s.price}`)).toEqual(m.stocks.map((s) => `${s.code}${s.name}${s.price}`));
  });

  it('keeps prices on ticks and inside the daily limits through many trades', () => {
    const m = new SimMarketState(createRandom(2), 200, START);
    const r = createRandom('trades');
    for (let i = 0; i < 200_000; i++) {
      const s = m.stocks[i % 200];
      if (s === undefined) continue;
      if (i % 1_000 === 0) s.vol = 20;
      m.trade(s, r, '100000');
    }
    for (const s of m.stocks) {
      expect(s.price % tickSize(s.price)).toBe(0);
      expect(s.price).toBeLessThanOrEqual(s.upper);
      expect(s.price).toBeGreaterThanOrEqual(s.lower);
      expect(s.high).toBeGreaterThanOrEqual(s.price);
      expect(s.low).toBeLessThanOrEqual(s.price);
    }
  });

  it('program ranking drifts: top-50 membership changes over a few minutes', () => {
    const m = new SimMarketState(createRandom(3), 2_500, START);
    const before = new Set(m.programRanking('P00101').map((r) => r.code));
    for (let s = 1; s <= 180; s++) m.stepSecond(START + s * 1000);
    const after = m.programRanking('P00101').map((r) => r.code);
    const entered = after.filter((c) => !before.has(c)).length;
    expect(entered).toBeGreaterThanOrEqual(3);
    expect(entered).toBeLessThan(50);
  });
});
