import { describe, expect, it } from 'vitest';
import limitApproach from '../../../strategies/limit-approach.js';
import { T0, startRun, trade } from '../engine/fixtures.js';
import { book, stockInfo } from './market-structure-events.js';

// Reference 10,000 -> upper limit 13,000 (ticks of 10 below 20,000).
const limits = stockInfo({ upper: 13_000, lower: 7_000, reference: 10_000, ts: T0 });

describe('limit-approach', () => {
  it('ALERTs on a trade within N ticks of the upper limit once the ask side thinned, once per approach', () => {
    const r = startRun([limitApproach], [{ id: 'limit-approach', params: { maxTicks: 5, thinRatio: 0.5, windowMs: 60_000 } }], { cooldownMs: 0 });
    r.feed([
      limits,
      book({ totalAsk: 100_000, ts: T0 + 1_000 }),
      trade({ price: 12_960, ts: T0 + 2_000 }), // 4 ticks, but the asks are full
      book({ totalAsk: 40_000, ts: T0 + 3_000 }),
      trade({ price: 12_900, ts: T0 + 4_000 }), // 10 ticks: too far
      trade({ price: 12_970, ts: T0 + 5_000 }), // 3 ticks, asks at 40 % of the peak -> ALERT
      trade({ price: 12_990, ts: T0 + 6_000 }), // same approach
      trade({ price: 12_800, ts: T0 + 7_000 }), // 20 ticks back: re-armed
      trade({ price: 12_980, ts: T0 + 8_000 }), // -> ALERT
    ]);
    expect(r.signals.map((s) => [s.kind, s.price, s.details.ticksToLimit, s.details.peakTotalAsk])).toEqual([
      ['ALERT', 12_970, 3, 100_000],
      ['ALERT', 12_980, 2, 100_000],
    ]);
  });

  it('needs the limits (0g) and a book (0D): nothing without them, nothing once the peak left the window', () => {
    const r = startRun([limitApproach], [{ id: 'limit-approach', params: { windowMs: 10_000 } }], { cooldownMs: 0 });
    r.feed([
      book({ totalAsk: 100_000, ts: T0 }),
      trade({ price: 12_990, ts: T0 + 1_000 }), // no 0g yet
      limits,
      book({ totalAsk: 40_000, ts: T0 + 30_000 }), // the 100,000 book is 30 s old: out of a 10 s window
      trade({ price: 12_990, ts: T0 + 31_000 }),
    ]);
    expect(r.signals).toEqual([]);
  });
});
