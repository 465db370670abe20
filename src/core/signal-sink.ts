import type { Signal } from './signal.js';

/**
 * Where the strategy host writes stamped signals. `write` must not block or throw: the store implements it
 * with an in-memory queue and batched transactions. Ids are deterministic, so a sink may insert
 * idempotently (a replay writing the same signal again is a no-op).
 */
export interface SignalSink {
  write(signal: Signal): void;
}
