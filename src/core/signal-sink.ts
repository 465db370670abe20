import type { Signal } from './signal.js';

/**
 * Where stamped signals go. `write` never throws and never blocks on I/O: a sink queues and
 * persists on its own schedule (the SQLite store batches per event-loop turn).
 */
export interface SignalSink {
  write(signal: Signal): void;
}
