import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../src/core/rate-limiter.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';

const HOUR = 3_600_000;

/** Monotonic instants (relative to the first) at which each of `n` queued acquires was granted. */
async function grantsAround(step: number, n: number): Promise<number[]> {
  const clock = createVirtualClock(Date.UTC(2026, 0, 5, 1, 0, 0));
  const limiter = createRateLimiter({ clock, ratePerSecond: 5 });
  const t0 = clock.monotonic();
  const times: number[] = [];
  // One full window's worth granted, then an NTP step, then more demand than one window holds.
  for (let i = 0; i < 5; i++) await limiter.acquire();
  clock.stepWall(step);
  const all = Array.from({ length: n }, () => limiter.acquire().then(() => times.push(clock.monotonic() - t0)));
  await clock.tickAsync(5_000);
  await Promise.all(all);
  return times;
}

describe('a wall-clock step (NTP) neither freezes nor bursts the rate limiter', () => {
  it('stepping the wall clock back by hours does not freeze grants', async () => {
    const times = await grantsAround(-3 * HOUR, 10);
    // Wall-time windows would wait three hours; monotonic windows wait one second.
    expect(times).toEqual([1000, 1000, 1000, 1000, 1000, 2000, 2000, 2000, 2000, 2000]);
  });

  it('stepping the wall clock forward by hours does not burst: the window still holds', async () => {
    const times = await grantsAround(+3 * HOUR, 10);
    // Wall-time windows would have aged out at once and granted all ten now.
    expect(times).toEqual([1000, 1000, 1000, 1000, 1000, 2000, 2000, 2000, 2000, 2000]);
  });

  it('a pause after a 1700 lasts its duration whichever way the wall clock steps', async () => {
    for (const step of [-6 * HOUR, 6 * HOUR]) {
      const clock = createVirtualClock(Date.UTC(2026, 0, 5, 1, 0, 0));
      const limiter = createRateLimiter({ clock, ratePerSecond: 5 });
      const t0 = clock.monotonic();
      limiter.pauseFor(2_000);
      clock.stepWall(step);
      let at = -1;
      const p = limiter.acquire().then(() => (at = clock.monotonic() - t0));
      await clock.tickAsync(1_999);
      expect(at, `step ${step}`).toBe(-1);
      await clock.tickAsync(1);
      await p;
      expect(at, `step ${step}`).toBe(2_000);
    }
  });
});
