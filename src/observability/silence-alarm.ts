import type { Clock, TimerHandle } from '../core/clock.js';

/** The alarm's log: a warning when raised, an info line when cleared. */
export interface SilenceAlarmLog {
  warn(fields: Record<string, unknown>, msg: string): void;
  info(fields: Record<string, unknown>, msg: string): void;
}

export interface SilenceAlarmChange {
  readonly active: boolean;
  /** How long no frame had arrived when the alarm was raised or cleared (ms). */
  readonly silentForMs: number;
  /** Why it cleared: 'frames resumed', 'session closed' or 'not subscribed'. */
  readonly reason: string;
}

export interface SilenceAlarmOptions {
  readonly clock: Clock;
  /** Silence (ms) during the session, while subscribed, that raises the alarm. */
  readonly silenceMs: number;
  /** How often the condition is checked (default: a quarter of silenceMs, at least 100 ms, at most 5 s). */
  readonly checkIntervalMs?: number;
  readonly isSessionOpen: () => boolean;
  /** Live with at least one subscribed pair. */
  readonly isSubscribed: () => boolean;
  readonly log: SilenceAlarmLog;
  readonly onChange?: (change: SilenceAlarmChange) => void;
}

export interface SilenceAlarm {
  /** Call on every real-time frame (cheap: one assignment, a branch). */
  frame(): void;
  /** Starts watching now and checking periodically. */
  start(): void;
  stop(): void;
  /** Runs one check now (the periodic timer calls this). */
  check(): void;
  active(): boolean;
  /** Times the alarm was raised. */
  raisedCount(): number;
}

/**
 * The data-silence alarm: raised when no real-time frame has arrived for `silenceMs` during the
 * session while subscribed, cleared when frames resume. Silence is counted from the later of the
 * last frame and the moment watching began, so a quiet night does not raise it at the open.
 * One warning when raised and one info line when cleared, never one per check.
 */
export function createSilenceAlarm(options: SilenceAlarmOptions): SilenceAlarm {
  const { clock, silenceMs, log } = options;
  const interval = options.checkIntervalMs ?? Math.min(5000, Math.max(100, Math.floor(silenceMs / 4)));
  let lastFrameAt: number | null = null;
  /** When the current watch (session open and subscribed) began; null while not watching. */
  let watchingSince: number | null = null;
  /** Non-null while the alarm is raised: when the silence began. */
  let silentFrom: number | null = null;
  let raised = 0;
  let timer: TimerHandle | undefined;

  const clear = (reason: string): void => {
    if (silentFrom === null) return;
    const silentForMs = clock.now() - silentFrom;
    silentFrom = null;
    log.info({ alarm: 'data-silence', silentForMs, reason }, 'data silence cleared');
    options.onChange?.({ active: false, silentForMs, reason });
  };

  const check = (): void => {
    const now = clock.now();
    const open = options.isSessionOpen();
    if (!open || !options.isSubscribed()) {
      watchingSince = null;
      clear(open ? 'not subscribed' : 'session closed');
      return;
    }
    watchingSince ??= now;
    if (silentFrom !== null) return;
    const from = Math.max(lastFrameAt ?? watchingSince, watchingSince);
    const silentForMs = now - from;
    if (silentForMs >= silenceMs) {
      silentFrom = from;
      raised++;
      log.warn({ alarm: 'data-silence', silentForMs, thresholdMs: silenceMs, lastFrameAt }, 'no real-time data during the session while subscribed');
      options.onChange?.({ active: true, silentForMs, reason: 'no frames' });
    }
  };

  return {
    frame: () => {
      lastFrameAt = clock.now();
      if (silentFrom !== null) clear('frames resumed');
    },
    start: () => {
      if (timer !== undefined) return;
      timer = clock.setInterval(check, interval);
      check(); // start watching now, not one interval later

    },
    stop: () => {
      if (timer === undefined) return;
      clock.clearInterval(timer);
      timer = undefined;
    },
    check,
    active: () => silentFrom !== null,
    raisedCount: () => raised,
  };
}
