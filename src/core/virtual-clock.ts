import FakeTimers from '@sinonjs/fake-timers';
import type { Clock, TimerHandle } from './clock.js';

/**
 * A Clock on @sinonjs/fake-timers' `createClock`: nothing global is faked (no nextTick, no
 * queueMicrotask, no Date), so real sockets and undici keep working while our timers run on
 * virtual time. Monotonic time only moves forward; `stepWall` models an NTP step of wall time.
 */
export interface VirtualClock extends Clock {
  /** Run every timer due within `ms` and advance by `ms`, synchronously. */
  tick(ms: number): void;
  /** Like tick, but lets promise callbacks run between timers. */
  tickAsync(ms: number): Promise<void>;
  /** Advance to an absolute time (never backwards). */
  advanceTo(epochMs: number): void;
  advanceToAsync(epochMs: number): Promise<void>;
  /** Run the next due timer, advancing to it; returns false when none is scheduled. */
  next(): boolean;
  pendingTimers(): number;
  /**
   * Step the wall clock (as NTP would) by `deltaMs`, either way, without moving monotonic time or
   * firing timers.
   */
  stepWall(deltaMs: number): void;
}

export function createVirtualClock(startEpochMs = 0): VirtualClock {
  assertTime(startEpochMs);
  const fake = FakeTimers.createClock(startEpochMs, 10_000_000);
  let wallSteps = 0; // the sum of stepWall deltas: monotonic = wall - steps
  const forwardDelta = (to: number): number => {
    assertTime(to);
    if (to < fake.now) throw new RangeError(`virtual clock cannot go backwards (${fake.now} -> ${to})`);
    return to - fake.now;
  };
  return {
    now: () => fake.now,
    monotonic: () => fake.now - wallSteps,
    setTimeout: (fn, ms) => fake.setTimeout(fn, ms),
    clearTimeout: (handle: TimerHandle) => fake.clearTimeout(handle as FakeTimers.TimerId),
    setInterval: (fn, ms) => fake.setInterval(fn, ms),
    clearInterval: (handle: TimerHandle) => fake.clearInterval(handle as FakeTimers.TimerId),
    tick: (ms) => {
      assertDelta(ms);
      fake.tick(ms);
    },
    tickAsync: async (ms) => {
      assertDelta(ms);
      await fake.tickAsync(ms);
    },
    advanceTo: (to) => {
      fake.tick(forwardDelta(to));
    },
    advanceToAsync: async (to) => {
      await fake.tickAsync(forwardDelta(to));
    },
    next: () => {
      if (fake.countTimers() === 0) return false;
      fake.next();
      return true;
    },
    pendingTimers: () => fake.countTimers(),
    stepWall: (deltaMs) => {
      assertTime(deltaMs);
      // setSystemTime shifts the timers' due instants with it, so none fires early or late.
      fake.setSystemTime(fake.now + deltaMs);
      wallSteps += deltaMs;
    },
  };
}

function assertTime(ms: number): void {
  if (!Number.isFinite(ms)) throw new RangeError(`invalid virtual time ${ms}`);
}

function assertDelta(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`virtual clock cannot go backwards (tick ${ms})`);
}
