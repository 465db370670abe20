import { Observable, Subject } from 'rxjs';
import { doubling, type ExponentialPolicy } from '../core/backoff.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { kstDayIndex } from '../core/kst.js';

export interface EntryQueueOptions<T> {
  readonly clock: Clock;
  /** One request for one symbol. */
  readonly fetch: (symbol: string) => Promise<T>;
  /** Still wanted? A symbol that left the universe before its turn is skipped. */
  readonly isMember: (symbol: string) => boolean;
  /** Attempts per symbol and day (first try included) before giving up until its next entry. */
  readonly attempts: number;
  /** Wait before retry n (doubling: base, 2 base, ... capped). */
  readonly backoff: ExponentialPolicy;
  /** A failed attempt; `final` when no retry follows. */
  readonly onError: (symbol: string, err: unknown, final: boolean) => void;
}

export interface EntryQueue<T> {
  /** Symbols that entered the universe: each is fetched once per KST day. */
  add(symbols: readonly string[]): void;
  /** The answers, in completion order. */
  readonly events$: Observable<T>;
  /** Symbols waiting (queued or waiting for a retry). */
  pending(): number;
  stop(): void;
}

/**
 * A fetch per symbol when it enters the universe (ka10001), one request at a time so other polls
 * interleave in the shared limiter's FIFO (the queue never bursts the REST budget). A failure is
 * retried after a doubling wait on the Clock, up to `attempts`; then given up until the symbol
 * enters again. A symbol is fetched once per KST day: leaving and coming back the same day does
 * not fetch again. Memory is bounded by the symbols of one day.
 */
export function createEntryQueue<T>(options: EntryQueueOptions<T>): EntryQueue<T> {
  const { clock } = options;
  const out = new Subject<T>();
  const queue: Array<{ symbol: string; attempt: number }> = [];
  const queued = new Set<string>();
  /** symbol -> KST day it was fetched (or given up) */
  const doneOn = new Map<string, number>();
  let day = kstDayIndex(clock.now());
  const timers = new Set<TimerHandle>();
  let busy = false;
  let stopped = false;

  const today = (): number => {
    const d = kstDayIndex(clock.now());
    if (d !== day) {
      day = d;
      doneOn.clear(); // a new day: every member is fetched again on its next entry
    }
    return d;
  };

  const next = (): void => {
    if (busy || stopped) return;
    const item = queue.shift();
    if (item === undefined) return;
    if (!options.isMember(item.symbol)) {
      queued.delete(item.symbol);
      next();
      return;
    }
    busy = true;
    options.fetch(item.symbol).then(
      (value) => {
        busy = false;
        queued.delete(item.symbol);
        doneOn.set(item.symbol, today());
        if (!stopped) out.next(value);
        next();
      },
      (err: unknown) => {
        busy = false;
        const final = item.attempt + 1 >= options.attempts;
        options.onError(item.symbol, err, final);
        if (final) {
          queued.delete(item.symbol); // tried again when it enters the universe again
        } else {
          const timer = clock.setTimeout(() => {
            timers.delete(timer);
            queue.push({ symbol: item.symbol, attempt: item.attempt + 1 });
            next();
          }, doubling(options.backoff, item.attempt));
          timers.add(timer);
        }
        next();
      },
    );
  };

  return {
    add(symbols) {
      const d = today();
      for (const symbol of symbols) {
        if (queued.has(symbol) || doneOn.get(symbol) === d) continue;
        queued.add(symbol);
        queue.push({ symbol, attempt: 0 });
      }
      // After the caller's turn: the universe diff is published before the fetch starts.
      queueMicrotask(next);
    },
    events$: out.asObservable(),
    pending: () => queued.size,
    stop() {
      stopped = true;
      for (const t of timers) clock.clearTimeout(t);
      timers.clear();
      queue.length = 0;
      out.complete();
    },
  };
}
