import type { Clock, TimerHandle } from '../core/clock.js';

/** Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer wait is re-armed. */
const MAX_TIMER_MS = 2_147_483_647;

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
    const wait = Math.max(0, due - this.clock.now());
    this.handle = this.clock.setTimeout(() => {
      this.handle = undefined;
      this.due = undefined;
      if (wait > MAX_TIMER_MS) this.arm(due); // a phase change days away: wait again
      else this.onWake(due);
    }, Math.min(wait, MAX_TIMER_MS));
  }
}
