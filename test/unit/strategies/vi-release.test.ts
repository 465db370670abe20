import { describe, expect, it } from 'vitest';
import viRelease from '../../../strategies/vi-release.js';
import { T0, startRun, trade } from '../engine/fixtures.js';
import { programFlow, vi } from './market-structure-events.js';

const S = '066310';

describe('vi-release', () => {
  it('BUYs once when an upward VI is released while program net buying rose since the trigger', () => {
    const r = startRun([viRelease], [{ id: 'vi-release', params: { minNetRise: 100 } }], { cooldownMs: 0 });
    r.feed([
      programFlow({ symbol: S, net: 500, ts: T0 }),
      trade({ symbol: S, price: 11_000, ts: T0 + 1_000 }),
      vi({ symbol: S, phase: 'trigger', venue: 'SOR', ts: T0 + 2_000 }),
      vi({ symbol: S, phase: 'trigger', ts: T0 + 2_001 }), // the same VI as the bare code
      programFlow({ symbol: S, net: 700, change: 200, ts: T0 + 90_000 }),
      vi({ symbol: S, phase: 'release', venue: 'SOR', ts: T0 + 122_000 }),
      vi({ symbol: S, phase: 'release', ts: T0 + 122_001 }), // its copy: no second signal
    ]);
    expect(r.signals.map((s) => [s.kind, s.symbol, s.price, s.details.programNetRise])).toEqual([['BUY', S, 11_000, 200]]);
  });

  it('stays quiet when program buying stalled, the VI was downward, or the 0w is stale', () => {
    const r = startRun([viRelease], [{ id: 'vi-release', params: { minNetRise: 100, maxProgramAgeMs: 60_000 } }], { cooldownMs: 0 });
    r.feed([
      // Stalled: net unchanged over the VI.
      programFlow({ symbol: 'A00001', net: 500, ts: T0 }),
      vi({ symbol: 'A00001', phase: 'trigger', ts: T0 + 1_000 }),
      vi({ symbol: 'A00001', phase: 'release', ts: T0 + 121_000 }),
      // Downward VI with program buying rising.
      programFlow({ symbol: 'A00002', net: 500, ts: T0 }),
      vi({ symbol: 'A00002', phase: 'trigger', direction: 'down', ts: T0 + 1_000 }),
      programFlow({ symbol: 'A00002', net: 900, change: 400, ts: T0 + 100_000 }),
      vi({ symbol: 'A00002', phase: 'release', direction: 'down', ts: T0 + 121_000 }),
      // Rising, but the last 0w is 100 s old at the release.
      programFlow({ symbol: 'A00003', net: 500, ts: T0 }),
      vi({ symbol: 'A00003', phase: 'trigger', ts: T0 + 1_000 }),
      programFlow({ symbol: 'A00003', net: 900, change: 400, ts: T0 + 21_000 }),
      vi({ symbol: 'A00003', phase: 'release', ts: T0 + 121_000 }),
    ]);
    expect(r.signals).toEqual([]);
  });
});
