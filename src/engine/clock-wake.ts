import type { Clock, TimerHandle } from '../core/clock.js';

/**
 * One Clock timer for the earliest due time of the host's own timer queue, so strategy timers fire
 * when no event comes. Strategy timers themselves never become Clock timers (the host's determinism
 * rule); this only wakes the host.
 */
export class ClockWake {
  private handle: TimerHandle | undefined;
  private due: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly onWake: (due: number) => void,
  ) {}

  /** Arms for `due` (undefined: disarms); a no-op when already armed for it. */
  arm(due: number | undefined): void {
    if (due === this.due) return;
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
    this.due = due;
    if (due === undefined) return;
    this.handle = this.clock.setTimeout(() => {
      this.handle = undefined;
      this.due = undefined;
      this.onWake(due);
    }, Math.max(0, due - this.clock.now()));
  }
}
