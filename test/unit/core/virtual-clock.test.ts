import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';

describe('virtual clock', () => {
  it('starts at the given time and fires timers in due order as time advances', () => {
    const clock = createVirtualClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    const every = clock.setInterval(() => fired.push(`i@${clock.now()}`), 15);
    clock.tick(30);
    clock.clearInterval(every);
    clock.tick(100);
    expect(fired).toEqual(['a@1010', 'i@1015', 'b@1020', 'i@1030']);
    expect(clock.now()).toBe(1_130);
  });

  it('cancels timers', () => {
    const clock = createVirtualClock(0);
    let fired = false;
    const t = clock.setTimeout(() => (fired = true), 5);
    clock.clearTimeout(t);
    clock.tick(10);
    expect(fired).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('never goes backwards', () => {
    const clock = createVirtualClock(5_000);
    expect(() => clock.tick(-1)).toThrow(RangeError);
    expect(() => clock.advanceTo(4_999)).toThrow(/backwards/);
    clock.advanceTo(5_000);
    clock.advanceTo(6_000);
    expect(clock.now()).toBe(6_000);
    let last = clock.now();
    for (let i = 0; i < 100; i++) {
      clock.setTimeout(() => {
        expect(clock.now()).toBeGreaterThanOrEqual(last);
        last = clock.now();
      }, (i * 37) % 50);
    }
    clock.tick(100);
    expect(clock.now()).toBe(6_100);
  });

  it('lets promise callbacks run between timers with tickAsync', async () => {
    const clock = createVirtualClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => {
      void Promise.resolve().then(() => clock.setTimeout(() => seen.push(clock.now()), 5));
    }, 10);
    await clock.tickAsync(20);
    expect(seen).toEqual([15]);
  });

  it('runs the next timer with next()', () => {
    const clock = createVirtualClock(0);
    clock.setTimeout(() => undefined, 42);
    expect(clock.next()).toBe(true);
    expect(clock.now()).toBe(42);
    expect(clock.next()).toBe(false);
  });
  it('stepWall moves wall time either way without moving monotonic time or firing timers', () => {
    const clock = createVirtualClock(1_000_000);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.monotonic()), 5_000);
    const mono0 = clock.monotonic();
    clock.stepWall(-3 * 3_600_000);
    expect(clock.now()).toBe(1_000_000 - 3 * 3_600_000);
    expect(clock.monotonic()).toBe(mono0);
    clock.stepWall(+7 * 3_600_000);
    expect(clock.monotonic()).toBe(mono0);
    expect(fired).toEqual([]);
    clock.tick(4_999);
    expect(fired).toEqual([]);
    clock.tick(1);
    expect(fired).toEqual([mono0 + 5_000]);
    expect(clock.now()).toBe(1_000_000 + 4 * 3_600_000 + 5_000);
  });
});
