import { EMPTY, Observable, catchError, defer, exhaustMap, filter, finalize, type ObservableInput } from 'rxjs';
import type { Clock } from '../core/clock.js';
import { clockTimer } from './clock-timer.js';

export interface PollOptions<T> {
  readonly clock: Clock;
  readonly periodMs: number;
  /** Ticks when this says the market is closed are skipped (no request at all). Default: always. */
  readonly isOpen?: (epochMs: number) => boolean;
  /** One run: a request (a promise) or a sweep (an observable of several answers). */
  readonly fetch: () => ObservableInput<T>;
  /** Called with each failed poll; the stream goes on with the next tick. */
  readonly onError: (err: unknown) => void;
  /** A tick that came while the previous run was still going (it is skipped): the poll runs late. */
  readonly onLate?: (epochMs: number) => void;
}

/**
 * A poll every `periodMs` on the Clock, the first immediately (after a 0 ms timer). Polls never
 * overlap: a tick that comes while a fetch is still running is dropped (`exhaustMap`). A failed
 * poll is reported and swallowed (per-poll `catchError`), so one failure never ends the stream.
 *
 * @example
 * pollEvery({ clock, periodMs: 30_000, isOpen: cal.isOpen, fetch: () => client.programTop('P00101'),
 *   onError: (err) => log.warn({ err }, 'ranking poll failed') });
 */
export function pollEvery<T>(options: PollOptions<T>): Observable<T> {
  const { clock, isOpen, onLate } = options;
  let running = false;
  return clockTimer(clock, 0, options.periodMs).pipe(
    filter(() => isOpen === undefined || isOpen(clock.now())),
    filter(() => {
      if (running && onLate) reportSafely(onLate, clock.now());
      return !running;
    }),
    exhaustMap(() => {
      running = true;
      return defer(() => options.fetch()).pipe(
        catchError((err: unknown) => {
          reportSafely(options.onError, err);
          return EMPTY;
        }),
        finalize(() => (running = false)),
      );
    }),
  );
}

function reportSafely<A>(report: (arg: A) => void, arg: A): void {
  try {
    report(arg);
  } catch {
    // A reporter that throws must not end the poll stream.
  }
}
