import { describe, expect, it } from 'vitest';
import { median, percentile, percentileOfSorted, perSecond } from '../../../bench/stats.js';

describe('median', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([7])).toBe(7);
  });
  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('is NaN for no values and leaves its input alone', () => {
    expect(median([])).toBeNaN();
    const input = [3, 1, 2];
    median(input);
    expect(input).toEqual([3, 1, 2]);
  });
});

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
  it('returns the smallest value with at least p % at or below it', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 99.9)).toBe(100);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile(hundred, 1)).toBe(1);
    expect(percentile(hundred, 1.5)).toBe(2);
  });
  it('p99.9 is the 999th of 1,000 samples and the 9,990th of 10,000 (no floating-point off-by-one)', () => {
    const thousand = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(thousand, 99.9)).toBe(999);
    const tenThousand = Array.from({ length: 10_000 }, (_, i) => i + 1);
    expect(percentile(tenThousand, 99.9)).toBe(9990);
    expect(percentileOfSorted(tenThousand, 99)).toBe(9900);
  });
  it('handles one value, no values and bad p', () => {
    expect(percentile([42], 99.9)).toBe(42);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('perSecond', () => {
  it('turns a count over milliseconds into a rounded rate', () => {
    expect(perSecond(150, 1000)).toBe(150);
    expect(perSecond(1, 3)).toBe(333);
    expect(perSecond(5, 0)).toBeNaN();
  });
});
