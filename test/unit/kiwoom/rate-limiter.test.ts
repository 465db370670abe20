import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../src/core/rate-limiter.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';

async function grantTimes(rate: number, n: number, marginMs = 0): Promise<number[]> {
  const clock = createVirtualClock(1_000_000);
  const limiter = createRateLimiter({ clock, ratePerSecond: rate, marginMs });
  const times: number[] = [];
  const all = Array.from({ length: n }, () => limiter.acquire().then(() => times.push(clock.now() - 1_000_000)));
  await clock.tickAsync(60_000);
  await Promise.all(all);
  return times;
}

/** The most grants in any window [t, t + windowMs). */
function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (const t of times) best = Math.max(best, times.filter((u) => u >= t && u < t + windowMs).length);
  return best;
}

describe('rate limiter on a Clock', () => {
  it('never grants more than N in any 1 s window, and grants bursts of N at once', async () => {
    const times = await grantTimes(5, 23);
    expect(times).toHaveLength(23);
    expect(times.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(times[5]).toBe(1000);
    expect(maxInWindow(times, 1000)).toBe(5);
    expect(times.at(-1)).toBe(4000);
  });

  it('spaces fractional rates (0.5/s = one per 2 s) and honours the margin', async () => {
    expect(await grantTimes(0.5, 3)).toEqual([0, 2000, 4000]);
    const withMargin = await grantTimes(2, 4, 50);
    expect(withMargin).toEqual([0, 0, 1050, 1050]);
  });

  it('with a minimum gap drains a backlog evenly (no burst) within the window; callers finding no queue are served at once', async () => {
    const clock = createVirtualClock(1_000_000);
    const limiter = createRateLimiter({ clock, ratePerSecond: 5, marginMs: 50, minGapMs: 210 });
    const times: number[] = [];
    const all = Array.from({ length: 11 }, () => limiter.acquire().then(() => times.push(clock.now() - 1_000_000)));
    await clock.tickAsync(60_000);
    await Promise.all(all);
    expect(times).toEqual([0, 0, 0, 0, 0, 1050, 1260, 1470, 1680, 1890, 2100]);
    expect(maxInWindow(times, 1000)).toBe(5);
  });

  it('grants in FIFO order', async () => {
    const clock = createVirtualClock(0);
    const limiter = createRateLimiter({ clock, ratePerSecond: 1 });
    const order: number[] = [];
    const ps = [0, 1, 2, 3].map((i) => limiter.acquire().then(() => order.push(i)));
    await clock.tickAsync(5000);
    await Promise.all(ps);
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it('pauses all grants for a while (after the broker said 1700)', async () => {
    const clock = createVirtualClock(0);
    const limiter = createRateLimiter({ clock, ratePerSecond: 5 });
    expect(limiter.tryAcquire()).toBe(true);
    limiter.pauseFor(3000);
    expect(limiter.tryAcquire()).toBe(false);
    let at = -1;
    const p = limiter.acquire().then(() => (at = clock.now()));
    await clock.tickAsync(2999);
    expect(at).toBe(-1);
    await clock.tickAsync(1);
    await p;
    expect(at).toBe(3000);
  });

  it('drops an aborted waiter and rejects it with the reason', async () => {
    const clock = createVirtualClock(0);
    const limiter = createRateLimiter({ clock, ratePerSecond: 1 });
    await limiter.acquire();
    const ac = new AbortController();
    const p = limiter.acquire(ac.signal);
    expect(limiter.pending()).toBe(1);
    ac.abort(new Error('gone'));
    await expect(p).rejects.toThrow('gone');
    expect(limiter.pending()).toBe(0);
  });

  it('rejects a non-positive rate', () => {
    expect(() => createRateLimiter({ clock: createVirtualClock(0), ratePerSecond: 0 })).toThrow(RangeError);
  });
});
