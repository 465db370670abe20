import { Observable } from 'rxjs';
import type { Clock } from '../core/clock.js';

/**
 * Like RxJS `timer(dueMs, periodMs)`, but on our Clock: RxJS's own schedulers read ambient time,
 * which deterministic code must not. Emits 0 after `dueMs`, then 1, 2, ... every `periodMs`
 * (once only when `periodMs` is omitted).
 *
 * @example clockTimer(clock, 0, 30_000).subscribe((n) => poll(n));
 */
export function clockTimer(clock: Clock, dueMs: number, periodMs?: number): Observable<number> {
  if (periodMs !== undefined && !(periodMs > 0)) throw new RangeError(`clockTimer period must be > 0 (got ${periodMs})`);
  return new Observable<number>((subscriber) => {
    let n = 0;
    let interval: unknown;
    const first = clock.setTimeout(() => {
      subscriber.next(n++);
      if (periodMs === undefined) {
        subscriber.complete();
        return;
      }
      interval = clock.setInterval(() => subscriber.next(n++), periodMs);
    }, Math.max(0, dueMs));
    return () => {
      clock.clearTimeout(first);
      if (interval !== undefined) clock.clearInterval(interval);
    };
  });
}
