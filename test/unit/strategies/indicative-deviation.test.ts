import { describe, expect, it } from 'vitest';
import indicativeDeviation from '../../../strategies/indicative-deviation.js';
import { T0, indicative, startRun, trade } from '../engine/fixtures.js';

describe('indicative-deviation', () => {
  it('alerts when a 0A price departs from the last trade by more than X %, once per excursion', () => {
    const r = startRun([indicativeDeviation], [{ id: 'indicative-deviation', params: { thresholdPct: 2 } }], { cooldownMs: 0 });
    r.feed([
      indicative({ price: 20_000, ts: T0 }), // no trade yet: nothing to compare with
      trade({ price: 10_000, ts: T0 + 1 }),
      indicative({ price: 10_150, ts: T0 + 2 }), // 1.5 %
      indicative({ price: 10_300, ts: T0 + 3 }), // 3 % -> ALERT
      indicative({ price: 10_400, ts: T0 + 4 }), // same excursion
      indicative({ price: 10_100, ts: T0 + 5 }), // back within: re-armed
      indicative({ price: 9_700, ts: T0 + 6 }), // -3 % -> ALERT
    ]);
    expect(r.signals.map((s) => [s.kind, s.price, s.details.deviationPct, s.details.direction])).toEqual([
      ['ALERT', 10_300, 3, 'up'],
      ['ALERT', 9_700, -3, 'down'],
    ]);
    expect(r.signals[0]!.details.lastTradePrice).toBe(10_000);
  });
});
