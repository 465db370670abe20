import { describe, expect, it } from 'vitest';
import { percentile } from '../../bench/soak/faults.js';
import { parseDuration, parseSoakArgs, slopePerHour } from '../../bench/soak/stats.js';

describe('soak report helpers', () => {
  it('parses --minutes and --fault-every with units', () => {
    const defaults = { faults: null, recording: true, injectFaults: true, samplesFile: null };
    expect(parseSoakArgs([])).toEqual({ minutes: 5, faultEveryMs: 120_000, ...defaults });
    expect(parseSoakArgs(['--minutes', '0.5', '--fault-every', '20s'])).toEqual({ minutes: 0.5, faultEveryMs: 20_000, ...defaults });
    expect(parseSoakArgs(['--no-recording', '--no-faults', '--samples', 'm.jsonl'])).toMatchObject({ recording: false, injectFaults: false, samplesFile: 'm.jsonl' });
    expect(parseSoakArgs(['--faults', 'full-disk,reg-rejection'])).toMatchObject({ faults: ['full-disk', 'reg-rejection'] });
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
    expect(() => parseSoakArgs(['--minutes', '-1'])).toThrow(/positive/);
    expect(() => parseSoakArgs(['--bogus'])).toThrow(/unknown argument/);
  });

  it('takes nearest-rank percentiles and least-squares memory slopes', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 99)).toBe(5);
    expect(percentile([7], 1)).toBe(7);
    // 1 MB more every 10 minutes = 6 MB/h.
    const samples = [0, 1, 2, 3].map((i) => ({ atMs: i * 600_000, rss: 100e6 + i * 1e6, heapUsed: 50e6 }));
    expect(slopePerHour(samples, 'rss')).toBeCloseTo(6e6, 0);
    expect(slopePerHour(samples, 'heapUsed')).toBe(0);
    expect(slopePerHour(samples.slice(0, 1), 'rss')).toBe(0);
  });
});
