import { budgetWait } from '../../core/backoff.js';

/** A budget: at most `max` sends in any `windowMs` (monotonic time). */
export interface RateWindow {
  readonly max: number;
  readonly windowMs: number;
}

/** Several budgets at once (Telegram: 1 a second per chat and 20 a minute per group). */
export interface RateWindows {
  /** How long until one more send fits every window (0 = now). */
  wait(now: number): number;
  record(now: number): void;
}

export function createRateWindows(windows: readonly RateWindow[]): RateWindows {
  const longest = Math.max(0, ...windows.map((w) => w.windowMs));
  let times: number[] = [];
  return {
    wait: (now) => Math.max(0, ...windows.map((w) => budgetWait(times, now, w.max, w.windowMs))),
    record: (now) => {
      times.push(now);
      if (times.length > 256 || (times[0] as number) <= now - longest) times = times.filter((t) => t > now - longest);
    },
  };
}
