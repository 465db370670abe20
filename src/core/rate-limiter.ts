import type { Clock, TimerHandle } from './clock.js';

/**
 * A client-side request limiter on a Clock: at most `limit` grants in any window of `windowMs`
 * (a sliding-window log, stricter than any fixed-second counter a broker may use), granted in FIFO
 * order. One instance per host + app key, shared by everything that calls that host with that key.
 * Windows run on `clock.monotonic()`, so an NTP step of the wall clock neither freezes nor bursts it.
 */
export interface RateLimiter {
  /** Resolves when a request may be sent (FIFO). Rejects with the signal's reason if aborted. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Grants now if possible, without waiting. */
  tryAcquire(): boolean;
  /** Grants nothing for `ms` from now (used after the broker says we were too fast). */
  pauseFor(ms: number): void;
  /** Requests waiting for a grant. */
  pending(): number;
}

export interface RateLimiterOptions {
  clock: Clock;
  /** Grants per second (may be fractional, e.g. 0.5). */
  ratePerSecond: number;
  /**
   * Extra milliseconds added to the window, to absorb network jitter between our send time and the
   * broker's receive time. Default 0.
   */
  marginMs?: number;
  /**
   * Spread a backlog: a queued request waits at least this many milliseconds after the previous
   * grant (e.g. the window / limit, 210 ms for 5 per 1,050 ms). A full queue then goes out one request
   * every gap instead of in bursts of `limit`, so network jitter cannot squeeze two bursts into one of
   * the broker's seconds. A caller that finds no queue is served at once. Default 0.
   */
  minGapMs?: number;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { clock } = options;
  if (!(options.ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be > 0 (got ${options.ratePerSecond})`);
  // Fractional rates become "1 per 1/rate seconds"; integral rates "N per second".
  const limit = options.ratePerSecond >= 1 ? Math.floor(options.ratePerSecond) : 1;
  const windowMs = (limit / options.ratePerSecond) * 1000 + (options.marginMs ?? 0);
  const grants: number[] = new Array<number>(limit).fill(Number.NEGATIVE_INFINITY); // ring of grant times
  let head = 0; // index of the oldest grant
  let pausedUntil = Number.NEGATIVE_INFINITY;
  const queue: Waiter[] = [];
  let timer: TimerHandle | undefined;

  const minGapMs = Math.max(0, options.minGapMs ?? 0);
  let lastGrant = Number.NEGATIVE_INFINITY;
  const nextAllowedAt = (): number => Math.max(pausedUntil, (grants[head] ?? Number.NEGATIVE_INFINITY) + windowMs);
  /** A queued request also keeps the gap: a backlog drains evenly; an idle caller is served at once. */
  const nextQueuedAt = (): number => Math.max(nextAllowedAt(), lastGrant + minGapMs);

  const grant = (now: number): void => {
    grants[head] = now;
    head = (head + 1) % limit;
    lastGrant = now;
  };

  const drain = (): void => {
    timer = undefined;
    let now = clock.monotonic();
    while (queue.length > 0) {
      const at = nextQueuedAt();
      if (at > now) {
        timer = clock.setTimeout(drain, Math.ceil(at - now));
        return;
      }
      const w = queue.shift() as Waiter;
      if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
      grant(now);
      w.resolve();
      now = clock.monotonic();
    }
  };

  const schedule = (): void => {
    if (timer !== undefined) clock.clearTimeout(timer);
    drain();
  };

  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (queue.length === 0 && nextAllowedAt() <= clock.monotonic()) {
        grant(clock.monotonic());
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const w: Waiter = { resolve, reject, signal, onAbort: undefined };
        if (signal) {
          w.onAbort = () => {
            const i = queue.indexOf(w);
            if (i >= 0) queue.splice(i, 1);
            reject(signal.reason);
          };
          signal.addEventListener('abort', w.onAbort, { once: true });
        }
        queue.push(w);
        if (timer === undefined) schedule();
      });
    },
    tryAcquire() {
      if (queue.length > 0 || nextAllowedAt() > clock.monotonic()) return false;
      grant(clock.monotonic());
      return true;
    },
    pauseFor(ms) {
      const untilMs = clock.monotonic() + ms;
      if (untilMs <= pausedUntil) return;
      pausedUntil = untilMs;
      if (queue.length > 0) schedule();
    },
    pending: () => queue.length,
  };
}
