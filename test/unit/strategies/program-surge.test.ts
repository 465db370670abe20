import { describe, expect, it } from 'vitest';
import programSurge from '../../../strategies/program-surge.js';
import { T0, startRun } from '../engine/fixtures.js';
import { programFlow } from './market-structure-events.js';

describe('program-surge', () => {
  it('ALERTs when net program buying rises by minRise within the window, once per surge', () => {
    const r = startRun([programSurge], [{ id: 'program-surge', params: { minRise: 1_000, windowMs: 60_000 } }], { cooldownMs: 0 });
    r.feed([
      programFlow({ net: 100, ts: T0 }),
      programFlow({ net: 600, ts: T0 + 7_000 }),
      programFlow({ net: 1_150, price: 10_500, ts: T0 + 14_000 }), // +1050 in 14 s -> ALERT
      programFlow({ net: 1_400, ts: T0 + 21_000 }), // same surge
      // The window slides: by T0 + 90 s the rise over 60 s is small, so the next surge counts again.
      programFlow({ net: 1_450, ts: T0 + 90_000 }),
      programFlow({ net: 1_500, ts: T0 + 150_000 }),
      programFlow({ net: 2_600, ts: T0 + 160_000 }), // +1100 -> ALERT
    ]);
    expect(r.signals.map((s) => [s.kind, s.price, s.details.rise])).toEqual([
      ['ALERT', 10_500, 1_050],
      ['ALERT', 10_000, 1_100],
    ]);
  });

  it('a slow rise or net selling never alerts', () => {
    const r = startRun([programSurge], [{ id: 'program-surge', params: { minRise: 1_000, windowMs: 60_000 } }], { cooldownMs: 0 });
    r.feed([
      ...Array.from({ length: 20 }, (_, i) => programFlow({ symbol: 'SLOW01', net: i * 200, ts: T0 + i * 60_000 })),
      programFlow({ symbol: 'SELL01', net: -3_000, ts: T0 }),
      programFlow({ symbol: 'SELL01', net: -1_500, ts: T0 + 10_000 }),
    ]);
    expect(r.signals).toEqual([]);
  });
});
