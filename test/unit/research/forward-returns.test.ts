import { describe, expect, it } from 'vitest';
import { aggregate, bootstrapMean, median } from '../../../src/research/aggregate.js';
import { parseHorizons } from '../../../src/research/format-report.js';
import { forwardOutcome, upperBound, type ReportSignal } from '../../../src/research/forward-returns.js';

const signal = (over: Partial<ReportSignal> = {}): ReportSignal => ({
  id: 'a',
  sessionId: 's',
  strategy: 'x',
  kind: 'BUY',
  symbol: '005930',
  price: 100,
  tsEvent: 10_000,
  venue: null,
  phase: null,
  ...over,
});
const trades = { t: [5_000, 10_000, 20_000, 40_000, 70_000], price: [90, 100, 110, 95, 120], volume: [1, 1, 1, 1, 1] };
const open = { sessionEnd: () => Number.POSITIVE_INFINITY, dataEnd: 75_000 };

describe('forward returns', () => {
  it('takes the last trade after the signal within each horizon; a trade at the signal time is not after it', () => {
    const o = forwardOutcome(signal(), trades, { ...open, horizonsMs: [5_000, 10_000, 30_000, 60_000, 120_000] });
    const rets = o.horizons.map((h) => h.ret);
    expect(rets[0]).toBeNull();
    expect(rets[1]).toBeCloseTo(0.1, 12);
    expect(rets[2]).toBeCloseTo(-0.05, 12);
    expect(rets[3]).toBeCloseTo(0.2, 12);
    expect(rets[4]).toBeCloseTo(0.2, 12);
    expect(o.horizons.map((h) => h.cut)).toEqual([null, null, null, null, 'eof']);
    expect(o.mfe).toBeCloseTo(0.2, 12);
    expect(o.mae).toBeCloseTo(-0.05, 12);
  });

  it('signs returns and excursions by direction: an EXIT is right when the price falls; an ALERT takes no side', () => {
    const exit = forwardOutcome(signal({ kind: 'EXIT' }), trades, { ...open, horizonsMs: [30_000] });
    expect(exit.horizons[0]).toMatchObject({ hit: true });
    expect(exit.horizons[0]!.signed).toBeCloseTo(0.05, 12);
    expect(exit.mfe).toBeCloseTo(0.05, 12);
    expect(exit.mae).toBeCloseTo(-0.1, 12);
    const alert = forwardOutcome(signal({ kind: 'ALERT' }), trades, { ...open, horizonsMs: [30_000] });
    expect(alert.horizons[0]!.hit).toBeNull();
    expect(alert.horizons[0]!.signed).toBeCloseTo(-0.05, 12);
  });

  it('enters at the last trade when the signal has no price, and cuts at the session end (inclusive)', () => {
    const o = forwardOutcome(signal({ price: null, tsEvent: 15_000 }), trades, { horizonsMs: [60_000], sessionEnd: () => 40_000, dataEnd: 75_000 });
    expect(o.entryPrice).toBe(100);
    expect(o.horizons[0]).toMatchObject({ cut: 'close', exitAt: 40_000 });
    expect(o.horizons[0]!.ret).toBeCloseTo(-0.05, 12);
  });

  it('has no returns without trades, and says whether the symbol traded at all', () => {
    expect(forwardOutcome(signal({ tsEvent: 80_000 }), trades, { ...open, horizonsMs: [1_000] })).toMatchObject({ hasTrades: true, mfe: null });
    expect(forwardOutcome(signal(), undefined, { ...open, horizonsMs: [1_000] })).toMatchObject({ hasTrades: false, entryPrice: 100 });
  });

  it('binary-searches past equal times', () => {
    expect(upperBound([1, 2, 2, 2, 3], 2)).toBe(4);
    expect(upperBound([], 2)).toBe(0);
    expect(upperBound([5], 1)).toBe(0);
  });
});

describe('aggregates', () => {
  it('bootstraps deterministically: the same seed gives the same interval, another seed another', () => {
    const xs = [0.01, -0.02, 0.03, 0.005, -0.01, 0.02, 0.015];
    const a = bootstrapMean(xs, 2000, 'seed-1')!;
    expect(bootstrapMean(xs, 2000, 'seed-1')).toEqual(a);
    expect(bootstrapMean(xs, 2000, 'seed-2')).not.toEqual(a);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(a[0]).toBeLessThan(mean);
    expect(a[1]).toBeGreaterThan(mean);
    expect(a[0]).toBeGreaterThanOrEqual(Math.min(...xs));
    expect(bootstrapMean([0.1], 100, 's')).toBeNull();
  });

  it('medians and groups', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNull();
    const outcomes = [signal({ id: 'a', strategy: 'y' }), signal({ id: 'b', strategy: 'x', kind: 'EXIT' })].map((s) => forwardOutcome(s, trades, { ...open, horizonsMs: [30_000] }));
    const rows = aggregate(outcomes, { horizonsMs: [30_000] });
    expect(rows.map((r) => `${r.dimension}=${r.value}`)).toEqual(['all=all', 'strategy=x', 'strategy=y', 'kind=BUY', 'kind=EXIT', 'phase=-', 'venue=-', 'symbol=005930']);
    expect(rows[0]).toMatchObject({ signals: 2, n: 2, hitRate: 0.5 });
    expect(rows[0]!.mean).toBeCloseTo(0, 12);
  });

  it('parses horizon lists', () => {
    expect(parseHorizons('1m,5m,15m,60m')).toEqual([60_000, 300_000, 900_000, 3_600_000]);
    expect(parseHorizons('2h, 30s,30s')).toEqual([30_000, 7_200_000]);
    expect(parseHorizons('5x')).toBeNull();
    expect(parseHorizons('0m')).toBeNull();
    expect(parseHorizons('')).toBeNull();
  });
});
