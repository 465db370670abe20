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

  it('keeps prices on ticks and inside the daily limits through hours of volatile seconds and many trades', () => {
    const m = new SimMarketState(createRandom(2), 200, START);
    const r = createRandom('trades');
    for (let sec = 1; sec <= 3_600; sec++) {
      if (sec % 60 === 0) for (const s of m.stocks) s.vol = 20;
      m.stepSecond(START + sec * 1000);
      for (let i = 0; i < 50; i++) m.trade(m.stocks[r.int(200)]!, r, '100000');
    }
    expect(m.stocks.filter((s) => s.price !== s.prevClose).length).toBeGreaterThan(150);
    for (const s of m.stocks) {
      expect(s.price % tickSize(s.price)).toBe(0);
      expect(s.price).toBeLessThanOrEqual(s.upper);
      expect(s.price).toBeGreaterThanOrEqual(s.lower);
      expect(s.high).toBeGreaterThanOrEqual(s.price);
      expect(s.low).toBeLessThanOrEqual(s.price);
    }
  });

  it("a price's moves per second do not depend on how many trades the feed sends", () => {
    const quiet = new SimMarketState(createRandom(4), 300, START);
    const busy = new SimMarketState(createRandom(4), 300, START);
    const r = createRandom('busy');
    for (let sec = 1; sec <= 600; sec++) {
      quiet.stepSecond(START + sec * 1000);
      busy.stepSecond(START + sec * 1000);
      // 1,000 trades a second on the busy market, none on the quiet one.
      for (let i = 0; i < 1_000; i++) busy.trade(busy.stocks[r.int(300)]!, r, '100000');
    }
    expect(busy.stocks.map((s) => s.price)).toEqual(quiet.stocks.map((s) => s.price));
    // About 0.06 tick moves a second at volatility 1: most stocks change price within a minute.
    const before = quiet.stocks.map((s) => s.price);
    for (let sec = 601; sec <= 660; sec++) quiet.stepSecond(START + sec * 1000);
    const changed = quiet.stocks.filter((s, i) => s.price !== before[i]).length;
    expect(changed).toBeGreaterThan(120);
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
