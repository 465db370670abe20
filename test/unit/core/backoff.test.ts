import { describe, expect, it } from 'vitest';
import { budgetWait, doubling, equalJitter, exponentialCeiling, fullJitter, honourHint } from '../../../src/core/backoff.js';

const policy = { baseMs: 500, capMs: 30_000 };

describe('backoff', () => {
  it('doubles from the base and stops at the cap, even for absurd attempt counts', () => {
    expect([0, 1, 2, 3].map((a) => exponentialCeiling(policy, a))).toEqual([500, 1000, 2000, 4000]);
    expect(exponentialCeiling(policy, 10)).toBe(30_000);
    expect(exponentialCeiling(policy, 1e9)).toBe(30_000);
    expect(doubling(policy, 2)).toBe(2000);
  });

  it('full jitter spans [0, ceiling) and equal jitter [ceiling/2, ceiling]', () => {
    expect(fullJitter(policy, 2, 0)).toBe(0);
    expect(fullJitter(policy, 2, 0.999)).toBe(1998);
    expect(equalJitter(policy, 2, 0)).toBe(1000);
    expect(equalJitter(policy, 2, 0.999)).toBe(1999);
  });

  it('a longer server hint wins; a shorter, missing or non-finite one does not', () => {
    expect(honourHint(1000, 5000)).toBe(5000);
    expect(honourHint(1000, 200)).toBe(1000);
    expect(honourHint(1000, undefined)).toBe(1000);
    expect(honourHint(1000, Number.POSITIVE_INFINITY)).toBe(1000);
  });

  it('budgetWait delays the attempt that would exceed the window budget until the oldest ages out', () => {
    expect(budgetWait([0, 10, 20], 30, 4)).toBe(0);
    expect(budgetWait([0, 10, 20, 25], 30, 4)).toBe(60_000 - 30);
    expect(budgetWait([0, 10], 30, 2, 1000)).toBe(970);
    expect(budgetWait([0, 10], 2000, 2, 1000)).toBe(0);
  });
});
