import type { Signal } from './signal.js';

/**
 * Where the strategy host writes stamped signals. `write` must not block or throw: the store implements it
 * with an in-memory queue and batched transactions. Ids are deterministic, so a sink may insert
 * idempotently (a replay writing the same signal again is a no-op).
 */
export interface SignalSink {
  write(signal: Signal): void;
}

/**
 * Hears of signals once they are durable (committed to the store), in commit order: the log line,
 * notifiers. Runs on the store's commit path, so it must not block; a throw is contained by the
 * fan-out (`src/app/signal-fanout.ts`) and never reaches the store or the other subscribers.
 */
export interface SignalSubscriber {
  readonly name: string;
  onCommitted(signals: readonly Signal[]): void;
}
