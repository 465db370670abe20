import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../../bench/daemon/bench-daemon.js';
import { formatLatency, minSamplesFor, summarizeLatency } from '../../../bench/daemon/latency-summary.js';
import { createMsHistogram } from '../../../bench/daemon/ms-histogram.js';
import { leastSquaresSlope, summarizeRss } from '../../../bench/daemon/rss-summary.js';
import { percentile } from '../../../bench/stats.js';

describe('ms histogram', () => {
  it('gives the same nearest-rank percentiles as percentile() on the raw samples', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 400 }), fc.constantFrom(0, 1, 50, 90, 99, 99.9, 100), (xs, p) => {
        const h = createMsHistogram();
        for (const x of xs) h.record(x);
        expect(h.count).toBe(xs.length);
        expect(h.percentile(p)).toBe(percentile(xs, p));
        expect(h.max()).toBe(Math.max(...xs));
      }),
    );
  });
  it('is NaN when empty and keeps a negative sample (a clock step) as 0', () => {
    const h = createMsHistogram();
    expect(h.percentile(50)).toBeNaN();
    h.record(-3);
    expect(h.percentile(100)).toBe(0);
  });
});

describe('latency summary', () => {
  it('needs 100 samples for p99 and 1,000 for p99.9', () => {
    expect(minSamplesFor(99)).toBe(100);
    expect(minSamplesFor(99.9)).toBe(1_000);
    expect(minSamplesFor(50)).toBe(2);
  });
  it('reports "n too small" instead of a percentile the sample cannot carry', () => {
    const h = createMsHistogram();
    for (let i = 1; i <= 999; i++) h.record(i % 10);
    const s = summarizeLatency(h);
    expect(s).toEqual({ n: 999, p50: 5, p99: 9, p999: null, max: 9 });
    expect(formatLatency(s)).toBe('5 / 9 / n too small ms (n = 999)');
    h.record(50);
    expect(summarizeLatency(h).p999).toBe(9);
    expect(summarizeLatency(createMsHistogram())).toEqual({ n: 0, p50: null, p99: null, p999: null, max: null });
  });
});

describe('rss summary', () => {
  it('fits the slope of a line exactly', () => {
    expect(leastSquaresSlope([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }])).toBeCloseTo(2, 12);
    expect(leastSquaresSlope([{ x: 1, y: 1 }])).toBeNaN();
  });
  it('takes minute 1 as the first sample at or after settle, growth to the end and slopes per minute after it', () => {
    const samples = [0, 30_000, 60_000, 90_000, 120_000].map((atMs, i) => ({ atMs, rss: 100e6 + i * 1e6, heapUsed: 20e6 + (atMs / 60_000) * 3e6, external: 1e6, arrayBuffers: 1e5 }));
    const s = summarizeRss(samples, 60_000);
    expect(s.rssAtSettle).toBe(102e6);
    expect(s.rssEnd).toBe(104e6);
    expect(s.growthAfterSettle).toBe(2e6);
    expect(s.settledSamples).toBe(3);
    expect(s.heapSlopePerMinute).toBeCloseTo(3e6, 3);
    expect(s.rssSlopePerMinute).toBeCloseTo(2e6, 3);
    expect(() => summarizeRss([], 60_000)).toThrow();
  });
});

describe('mergeConfig', () => {
  it('merges objects key by key and replaces arrays and values', () => {
    const base = { sim: { seed: 1, port: 0 }, strategies: [{ id: 'a' }, { id: 'b' }], mode: 'auto' };
    expect(mergeConfig(base, { sim: { seed: 2 }, strategies: [{ id: 'c' }], mode: 'sim' })).toEqual({ sim: { seed: 2, port: 0 }, strategies: [{ id: 'c' }], mode: 'sim' });
    expect(base.sim.seed).toBe(1);
  });
});
