import type { Logger } from '../core/logger.js';
import type { Signal } from '../core/signal.js';
import type { StockMaster } from '../core/stock-master.js';
import type { SignalSubscriber } from '../core/signal-sink.js';
import { errorMessage, type ErrorCode } from '../core/errors.js';

/** The store's side of the fan-out: whoever hands over committed signals. */
export interface CommitSource {
  onCommitted(listener: (signals: readonly Signal[]) => void): () => void;
}

/**
 * Hands every committed batch to each subscriber in turn. A subscriber that throws is logged with
 * its name and skipped for that batch only; the store and the other subscribers never see it.
 * Returns the unsubscribe function.
 */
export function fanOutSignals(store: CommitSource, subscribers: readonly SignalSubscriber[], log: Pick<Logger, 'error'>): () => void {
  if (subscribers.length === 0) return () => undefined;
  return store.onCommitted((signals) => {
    for (const subscriber of subscribers) {
      try {
        subscriber.onCommitted(signals);
      } catch (err) {
        const code: ErrorCode = 'E_SIGNAL_SUBSCRIBER';
        log.error({ code, subscriber: subscriber.name, err: errorMessage(err), signals: signals.length }, `signal subscriber ${subscriber.name} failed`);
      }
    }
  });
}

/** The `signal ...` info line, one per committed signal, with the stock's name when the master knows it. */
export function signalLogLine(log: Pick<Logger, 'info'>, master?: StockMaster): SignalSubscriber {
  return {
    name: 'log',
    onCommitted(signals) {
      for (const s of signals) {
        const name = master?.get(s.symbol)?.name;
        const stock = name ? `${s.symbol} ${name}` : s.symbol;
        log.info({ event: 'signal', id: s.id, strategy: s.strategy, symbol: s.symbol, ...(name ? { name } : {}), kind: s.kind, price: s.price, tsEvent: s.tsEvent }, `signal ${s.kind} ${stock} by ${s.strategy}`);
      }
    },
  };
}

/** Counts committed signals (the daemon's stop line and `signalsCommitted()`). */
export function signalCounter(): SignalSubscriber & { count(): number } {
  let n = 0;
  return {
    name: 'counter',
    onCommitted(signals) {
      n += signals.length;
    },
    count: () => n,
  };
}
