import { describe, expect, it } from 'vitest';
import { createUniverseTracker, diffSets } from '../../../src/pipeline/universe.js';
import { T0, ranking, trade, watchlist } from '../engine/fixtures.js';

describe('universe tracker', () => {
  it('starts with the static symbols', () => {
    const u = createUniverseTracker(['000300', '000100']);
    expect(u.refresh()).toEqual({ add: ['000100', '000300'], remove: [] });
    expect(u.refresh()).toBeNull();
    expect(u.current()).toEqual(['000100', '000300']);
  });

  it('unions both markets, watchlist and static symbols, and diffs each change in sorted order', () => {
    const u = createUniverseTracker(['000001']);
    u.refresh();
    expect(u.apply(ranking('P00101', ['000030', '000010'], T0))).toEqual({ add: ['000010', '000030'], remove: [] });
    expect(u.apply(ranking('P10102', ['200000', '000010'], T0))).toEqual({ add: ['200000'], remove: [] });
    expect(u.apply(watchlist(['000001', '300000'], T0))).toEqual({ add: ['300000'], remove: [] });
    // KOSPI list changes: 000030 leaves, 000040 enters; 000010 stays (still in the KOSDAQ list anyway).
    expect(u.apply(ranking('P00101', ['000040', '000010'], T0))).toEqual({ add: ['000040'], remove: ['000030'] });
    // 000001 leaves the watchlist but is static: no change for it.
    expect(u.apply(watchlist(['300000'], T0))).toBeNull();
    expect(u.apply(ranking('P10102', [], T0))).toEqual({ add: [], remove: ['200000'] });
    expect(u.apply(ranking('P00101', [], T0))).toEqual({ add: [], remove: ['000010', '000040'] });
    expect(u.current()).toEqual(['000001', '300000']);
    expect(u.programTop()).toEqual([]);
    expect(u.watchlist()).toEqual(['300000']);
  });

  it('ignores real-time events and unchanged polls', () => {
    const u = createUniverseTracker();
    expect(u.apply(trade({ price: 1, ts: T0 }))).toBeNull();
    u.apply(ranking('P00101', ['000010', '000020'], T0));
    expect(u.apply(ranking('P00101', ['000020', '000010'], T0 + 30_000))).toBeNull();
  });

  it('diffSets returns frozen sorted lists', () => {
    const d = diffSets(new Set(['b', 'c']), new Set(['c', 'a', 'd']));
    expect(d).toEqual({ add: ['a', 'd'], remove: ['b'] });
    expect(Object.isFrozen(d?.add)).toBe(true);
  });

  it('over budget keeps strategy-required symbols, then watchlists, then program ranks in order, and reports the rest', () => {
    const u = createUniverseTracker(['900001', '900002'], { maxSymbols: 6 });
    expect(u.refresh()).toEqual({ add: ['900001', '900002'], remove: [], leftOut: [] });
    // Ranks interleave across markets: KOSPI #1, KOSDAQ #1, KOSPI #2, KOSDAQ #2 ...
    expect(u.apply(ranking('P00101', ['100001', '100002', '100003'], T0))).toEqual({ add: ['100001', '100002', '100003'], remove: [], leftOut: [] });
    expect(u.apply(ranking('P10102', ['200001', '200002', '200003'], T0))).toEqual({ add: ['200001', '200002'], remove: ['100003'], leftOut: ['100003', '200003'] });
    expect(u.current()).toEqual(['100001', '100002', '200001', '200002', '900001', '900002']);
    // A watchlist outranks every program rank; the lowest ranks make way.
    expect(u.apply(watchlist(['300001', '300002'], T0))).toEqual({ add: ['300001', '300002'], remove: ['100002', '200002'], leftOut: ['100002', '200002', '100003', '200003'] });
    expect(u.current()).toEqual(['100001', '200001', '300001', '300002', '900001', '900002']);
    expect(u.leftOut()).toEqual(['100002', '200002', '100003', '200003']);
    // A strategy's own symbols are never left out, even when they alone fill the budget.
    const full = createUniverseTracker(['900001', '900002', '900003'], { maxSymbols: 2 });
    expect(full.refresh()).toEqual({ add: ['900001', '900002'], remove: [], leftOut: ['900003'] });
  });

  it('without a budget the diffs carry no leftOut (unchanged behaviour)', () => {
    const u = createUniverseTracker([]);
    expect(u.apply(ranking('P00101', Array.from({ length: 300 }, (_, i) => String(100000 + i)), T0))?.add).toHaveLength(300);
    expect(u.leftOut()).toEqual([]);
  });
});
