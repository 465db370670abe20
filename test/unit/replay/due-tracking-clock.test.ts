import { describe, expect, it } from 'vitest';
import { dueTrackingClock } from '../../../src/app/replay/due-tracking-clock.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';

const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);

describe('replay clock: synchronous advance when no timer can be due', () => {
  it('moves synchronously with no timer, and asynchronously (firing it) when one is due by then', async () => {
    const clock = dueTrackingClock(createVirtualClock(T0));
    expect(clock.advanceTo(T0 + 500)).toBeUndefined();
    expect(clock.now()).toBe(T0 + 500);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 1_000);
    expect(clock.advanceTo(T0 + 1_499)).toBeUndefined();
    expect(fired).toEqual([]);
    const advancing = clock.advanceTo(T0 + 1_500);
    expect(advancing).toBeInstanceOf(Promise);
    await advancing;
    expect(fired).toEqual([T0 + 1_500]);
    // Fired: nothing left to wait for.
    expect(clock.advanceTo(T0 + 9_000)).toBeUndefined();
    expect(clock.now()).toBe(T0 + 9_000);
  });

  it('never moves backwards; a timer due now (0 ms) still fires at the same instant', async () => {
    const clock = dueTrackingClock(createVirtualClock(T0 + 100));
    expect(clock.advanceTo(T0)).toBeUndefined();
    expect(clock.now()).toBe(T0 + 100);
    let fired = false;
    clock.setTimeout(() => (fired = true), 0);
    await clock.advanceTo(T0 + 50);
    expect(fired).toBe(true);
    expect(clock.now()).toBe(T0 + 100);
  });

  it('follows intervals from their last firing, and forgets cleared timers', async () => {
    const clock = dueTrackingClock(createVirtualClock(T0));
    let ticks = 0;
    const every = clock.setInterval(() => ticks++, 1_000);
    const never = clock.setTimeout(() => {
      throw new Error('cleared');
    }, 200);
    clock.clearTimeout(never);
    expect(clock.advanceTo(T0 + 999)).toBeUndefined();
    await clock.advanceTo(T0 + 1_000);
    expect(ticks).toBe(1);
    expect(clock.advanceTo(T0 + 1_999)).toBeUndefined();
    await clock.advanceTo(T0 + 3_500);
    expect(ticks).toBe(3);
    clock.clearInterval(every);
    expect(clock.advanceTo(T0 + 60_000)).toBeUndefined();
    expect(ticks).toBe(3);
  });
});
