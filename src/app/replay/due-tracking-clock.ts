import type { Clock, TimerHandle } from '../../core/clock.js';
import type { VirtualClock } from '../../core/virtual-clock.js';

/** Node's (and fake-timers') longest timer; a longer one fires at once, so it counts as due now. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The replay's virtual clock, knowing when its earliest timer may fire. Advancing the clock with
 * `advanceToAsync` costs an event-loop turn (a native setTimeout) per recorded row, even when no
 * timer is due: a day of a few million rows would spend most of its time there. With no timer due
 * by the row's instant, `advanceTo` moves the clock synchronously: nothing fires, so nothing runs
 * differently. Due times are lower bounds (a timer counts from its scheduling instant, an interval
 * from its last firing), so a row at or after a possible firing always takes the asynchronous path.
 */
export interface DueTrackingClock extends Clock {
  /**
   * Advances to `max(to, now)` as `advanceToAsync` does (a timer due at or before it fires, with
   * promise callbacks run between timers); synchronously, returning undefined, when none can be due.
   */
  advanceTo(to: number): Promise<void> | undefined;
}

export function dueTrackingClock(inner: VirtualClock): DueTrackingClock {
  /** Live timers: the earliest instant each may fire next. */
  const dues = new Map<TimerHandle, number>();
  let earliest: number | null = null; // null: recompute from `dues`
  const dueOf = (ms: number): number => (Number.isFinite(ms) && ms <= MAX_TIMER_MS ? inner.now() + Math.max(0, Math.floor(ms)) : inner.now());
  const set = (handle: TimerHandle, due: number): void => {
    dues.set(handle, due);
    if (earliest !== null && due < earliest) earliest = due;
  };
  const drop = (handle: TimerHandle): void => {
    if (dues.delete(handle)) earliest = null;
  };
  const earliestDue = (): number => {
    if (earliest === null) {
      earliest = Number.POSITIVE_INFINITY;
      for (const due of dues.values()) if (due < earliest) earliest = due;
    }
    return earliest;
  };
  return {
    now: () => inner.now(),
    monotonic: () => inner.monotonic(),
    setTimeout(fn, ms) {
      const due = dueOf(ms);
      const handle = inner.setTimeout(() => {
        drop(handle);
        fn();
      }, ms);
      set(handle, due);
      return handle;
    },
    clearTimeout(handle) {
      drop(handle);
      inner.clearTimeout(handle);
    },
    setInterval(fn, ms) {
      const handle = inner.setInterval(() => {
        drop(handle);
        set(handle, dueOf(ms));
        fn();
      }, ms);
      set(handle, dueOf(ms));
      return handle;
    },
    clearInterval(handle) {
      drop(handle);
      inner.clearInterval(handle);
    },
    advanceTo(to) {
      const target = Math.max(to, inner.now());
      if (target < earliestDue()) {
        inner.advanceTo(target);
        return undefined;
      }
      return inner.advanceToAsync(target);
    },
  };
}
