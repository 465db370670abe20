import { describe, expect, it } from 'vitest';
import { createKrxCalendar } from '../../../src/core/calendar.js';
import { kstToEpoch } from '../../../src/core/kst.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { clockTimer } from '../../../src/pipeline/clock-timer.js';
import { pollEvery } from '../../../src/pipeline/poll.js';
import { deferred } from '../../support/deferred.js';

const T0 = kstToEpoch(2026, 1, 5, 10, 0, 0); // Monday, in session

describe('clockTimer', () => {
  it('ticks on the Clock and clears its timers on unsubscribe', () => {
    const clock = createVirtualClock(T0);
    const seen: [number, number][] = [];
    const sub = clockTimer(clock, 100, 1000).subscribe((n) => seen.push([n, clock.now() - T0]));
    clock.tick(2100);
    expect(seen).toEqual([
      [0, 100],
      [1, 1100],
      [2, 2100],
    ]);
    sub.unsubscribe();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('emits once and completes without a period', () => {
    const clock = createVirtualClock(T0);
    let completed = false;
    const seen: number[] = [];
    clockTimer(clock, 50).subscribe({ next: (n) => seen.push(n), complete: () => (completed = true) });
    clock.tick(1000);
    expect(seen).toEqual([0]);
    expect(completed).toBe(true);
  });
});

describe('pollEvery', () => {
  it('never overlaps polls: ticks during a slow fetch are dropped', async () => {
    const clock = createVirtualClock(T0);
    const pending: ReturnType<typeof deferred<number>>[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const results: number[] = [];
    const sub = pollEvery({
      clock,
      periodMs: 30_000,
      fetch: () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const d = deferred<number>();
        pending.push(d);
        return d.promise.finally(() => inFlight--);
      },
      onError: () => {},
    }).subscribe((v) => results.push(v));
    await clock.tickAsync(0);
    expect(pending).toHaveLength(1);
    await clock.tickAsync(65_000); // ticks at 30 s and 60 s come while the first fetch runs
    expect(pending).toHaveLength(1);
    pending[0]!.resolve(1);
    await clock.tickAsync(25_000); // next tick at 90 s starts the second fetch
    expect(results).toEqual([1]);
    expect(pending).toHaveLength(2);
    expect(maxInFlight).toBe(1);
    sub.unsubscribe();
  });

  it('keeps polling after a failed fetch (rejected or thrown)', async () => {
    const clock = createVirtualClock(T0);
    const errors: unknown[] = [];
    let calls = 0;
    let completed = false;
    const results: number[] = [];
    pollEvery({
      clock,
      periodMs: 1000,
      fetch: () => {
        calls++;
        if (calls === 1) return Promise.reject(new Error('503'));
        if (calls === 2) throw new Error('sync');
        return Promise.resolve(calls);
      },
      onError: (err) => {
        errors.push(err);
        throw new Error('a throwing reporter is contained too');
      },
    }).subscribe({ next: (v) => results.push(v), complete: () => (completed = true), error: () => (completed = true) });
    await clock.tickAsync(3000);
    expect(errors.map((e) => (e as Error).message)).toEqual(['503', 'sync']);
    expect(results).toEqual([3, 4]);
    expect(completed).toBe(false);
  });

  it('does not poll outside the market session', async () => {
    const cal = createKrxCalendar();
    const start = kstToEpoch(2026, 1, 5, 8, 59, 0);
    const clock = createVirtualClock(start);
    const callTimes: number[] = [];
    pollEvery({
      clock,
      periodMs: 30_000,
      isOpen: cal.isOpen,
      fetch: () => {
        callTimes.push(clock.now());
        return Promise.resolve(0);
      },
      onError: () => {},
    }).subscribe();
    await clock.tickAsync(kstToEpoch(2026, 1, 5, 15, 35, 0) - start);
    expect(callTimes[0]).toBe(kstToEpoch(2026, 1, 5, 9, 0, 0));
    expect(callTimes.at(-1)).toBe(kstToEpoch(2026, 1, 5, 15, 29, 30));
    expect(callTimes).toHaveLength(780);
    expect(callTimes.every((t) => cal.isOpen(t))).toBe(true);
  });
});
