import { describe, expect, it } from 'vitest';
import programMomentum from '../../../strategies/program-momentum.js';
import { T0, ranking, startRun, trade } from '../engine/fixtures.js';

const S = '000030';
const run = (params: Record<string, unknown> = {}) => startRun([programMomentum], [{ id: 'program-momentum', params }], { cooldownMs: 0 });
const brief = (signals: { kind: string; symbol: string; price: number | null; details: Record<string, unknown> }[]) =>
  signals.map((s) => `${s.kind} ${s.symbol} ${s.price} ${String(s.details.reason)}`);

describe('program-momentum', () => {
  it('buys an entering stock once it trades above open and VWAP, and exits when it loses VWAP', () => {
    const r = run();
    r.feed([
      ranking('P00101', ['000010', '000020'], T0), // baseline
      trade({ symbol: S, price: 1000, volume: 100, open: 1000, ts: T0 + 1000 }),
      ranking('P00101', ['000010', S, '000020'], T0 + 30_000), // enters; price == open: not yet
      trade({ symbol: S, price: 1050, volume: 10, open: 1000, ts: T0 + 31_000 }), // above open and VWAP (~1004.5)
      trade({ symbol: S, price: 1060, volume: 10, open: 1000, ts: T0 + 32_000 }), // already held
      trade({ symbol: S, price: 990, volume: 10, open: 1000, ts: T0 + 33_000 }), // below VWAP
      trade({ symbol: S, price: 1100, volume: 10, open: 1000, ts: T0 + 34_000 }), // needs a new entry/climb
    ]);
    expect(brief(r.signals)).toEqual([`BUY ${S} 1050 entered`, `EXIT ${S} 990 lost-vwap`]);
    expect(r.signals[0]!.details).toMatchObject({ rank: 2, open: 1000 });
  });

  it('buys a stock climbing at least minRankClimb places and exits it when it leaves the list', () => {
    const r = run({ minRankClimb: 3 });
    const others = ['000001', '000002', '000003', '000004'];
    r.feed([
      trade({ symbol: S, price: 1100, volume: 10, open: 1000, ts: T0 }),
      trade({ symbol: S, price: 1000, volume: 10, open: 1000, ts: T0 + 1 }), // VWAP 1050
      ranking('P00101', [...others, S], T0 + 1000), // rank 5, baseline
      ranking('P00101', ['000001', '000002', S, '000003', '000004'], T0 + 31_000), // 5 -> 3: climb of 2, not enough
      trade({ symbol: S, price: 1200, volume: 10, open: 1000, ts: T0 + 32_000 }),
      ranking('P00101', [S, ...others], T0 + 61_000), // 3 -> 1 (2 places)... still not enough
      ranking('P00101', [...others, S], T0 + 91_000),
      ranking('P00101', ['000001', S, ...others.slice(1)], T0 + 121_000), // 5 -> 2: climb of 3 -> BUY (price 1200 > VWAP)
      ranking('P10102', ['300000'], T0 + 122_000), // the other market does not touch it
      ranking('P00101', others, T0 + 151_000), // leaves the list -> EXIT
      ranking('P00101', ['000009'], T0 + 181_000), // others leaving: never bought, no EXIT
    ]);
    expect(brief(r.signals)).toEqual([`BUY ${S} 1200 climbed 5->2`, `EXIT ${S} 1200 left-top`]);
  });

  it('treats the first poll as the baseline unless entryOnFirstPoll', () => {
    const events = [
      trade({ symbol: S, price: 1000, volume: 10, open: 1000, ts: T0 }),
      trade({ symbol: S, price: 1100, volume: 10, open: 1000, ts: T0 + 1 }), // VWAP 1050
      ranking('P00101', [S], T0 + 1000),
    ];
    const baseline = run();
    baseline.feed(events);
    expect(baseline.signals).toHaveLength(0);
    const eager = run({ entryOnFirstPoll: true });
    eager.feed([...events, trade({ symbol: S, price: 1101, volume: 10, open: 1000, ts: T0 + 2000 })]);
    expect(brief(eager.signals)).toEqual([`BUY ${S} 1100 entered`]); // bought on the ranking event itself
  });

  it('does not buy when below the open', () => {
    const r = run();
    r.feed([
      ranking('P00101', [], T0),
      trade({ symbol: S, price: 900, volume: 10, open: 1000, ts: T0 + 1 }),
      ranking('P00101', [S], T0 + 30_000),
      trade({ symbol: S, price: 950, volume: 10, open: 1000, ts: T0 + 30_001 }),
    ]);
    expect(r.signals).toHaveLength(0);
  });
});
