import type { Logger } from '../../../src/core/logger.js';
import type { MarketEvent } from '../../../src/core/market.js';
import type { Signal } from '../../../src/core/signal.js';
import type { AnyStrategyDefinition } from '../../../src/core/strategy.js';
import { createVirtualClock, type VirtualClock } from '../../../src/core/virtual-clock.js';
import { createStrategyHost, type StrategyHost, type StrategyHostOptions } from '../../../src/engine/host.js';
import { loadStrategies, type StrategyConfigEntry } from '../../../src/engine/load-strategies.js';
import { createRegistry } from '../../../src/engine/registry.js';
import { createMarketBook } from '../../../src/pipeline/market-book.js';
import { T0 } from '../../../src/sdk/testing.js';

// The event builders and T0 are the SDK's (krx-signals/sdk/testing): one definition for the project's tests and authors'.
export { T0, indicative, ranking, trade, watchlist } from '../../../src/sdk/testing.js';

export interface LogRecord {
  level: string;
  fields: Record<string, unknown>;
  msg: string;
}

/** A Logger that keeps every record (bindings merged into fields). */
export function memoryLogger(records: LogRecord[] = [], bindings: Record<string, unknown> = {}): Logger & { records: LogRecord[] } {
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => {
    records.push({ level, fields: { ...bindings, ...fields }, msg });
  };
  return {
    records,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => memoryLogger(records, { ...bindings, ...more }),
  };
}

export interface Run {
  clock: VirtualClock;
  host: StrategyHost;
  signals: Signal[];
  logs: LogRecord[];
  /** Feeds events like a replay: advance the clock to each tsRecv, then hand the event over. */
  feed(events: readonly MarketEvent[]): void;
}

/** Starts a host over the given definitions and config entries on a virtual clock at `start`. */
export function startRun(
  definitions: readonly AnyStrategyDefinition[],
  entries: readonly StrategyConfigEntry[],
  options: { start?: number } & Partial<Omit<StrategyHostOptions, 'clock' | 'book' | 'sink' | 'strategies' | 'logger'>> = {},
): Run {
  const clock = createVirtualClock(options.start ?? T0);
  const signals: Signal[] = [];
  const logger = memoryLogger();
  const host = createStrategyHost({
    sessionId: 'test-session',
    seed: 1,
    ...options,
    clock,
    book: createMarketBook(),
    sink: { write: (s) => signals.push(s) },
    strategies: loadStrategies(entries, createRegistry(definitions)),
    logger,
  });
  host.start();
  return {
    clock,
    host,
    signals,
    logs: logger.records,
    feed(events) {
      for (const e of events) {
        if (e.tsRecv > clock.now()) clock.advanceTo(e.tsRecv);
        host.handle(e);
      }
    },
  };
}
