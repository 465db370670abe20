/**
 * Time is a port. Deterministic code (core, pipeline, engine, state, strategies) reads time only
 * through a Clock, so the same code runs live (system clock) and in replay/tests (virtual clock).
 * The shape matches xstate's `clock` option, so a Clock can be passed to `createActor` as is.
 */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds since the Unix epoch (integer): for stamps and expiry instants only. */
  now(): number;
  /**
   * Monotonic milliseconds (performance.now() live): for durations, timeouts and rate windows, which
   * must not jump when NTP steps the wall clock.
   */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
}

/** The wall clock of the host: the only Clock that reads ambient time. */
export const systemClock: Clock = {
  now: () => Date.now(), // clock-ok: the system clock implementation
  monotonic: () => performance.now(), // clock-ok: the system clock implementation
  setTimeout: (fn, ms) => setTimeout(fn, ms), // clock-ok: the system clock implementation
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => setInterval(fn, ms), // clock-ok: the system clock implementation
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};
