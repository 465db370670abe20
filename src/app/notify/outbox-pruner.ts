import type { Outbox } from '../../adapters/store/index.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { DispatcherLog } from './dispatcher.js';

export interface OutboxPrunerOptions {
  readonly outbox: Outbox;
  readonly clock: Clock;
  readonly log: DispatcherLog;
  /** Finished rows (sent, skipped, dead) older than this are deleted. */
  readonly retentionMs: number;
  /** Between two passes. Default one hour. */
  readonly everyMs?: number;
  /** Rows looked at per state in one transaction; the pass goes on in later turns. Default 500. */
  readonly batch?: number;
}

export interface OutboxPruner {
  /** Rows deleted since the start. */
  deleted(): number;
  stop(): void;
}

/**
 * Keeps the outbox from growing for ever: a pass at start and every `everyMs` deletes the rows every
 * sink (configured or not any more) finished before the retention, in short transactions on the
 * store's connection with a timer turn between them, so a month of rows never stalls the event loop.
 */
export function startOutboxPruner(o: OutboxPrunerOptions): OutboxPruner {
  const everyMs = o.everyMs ?? 3_600_000;
  const batch = o.batch ?? 500;
  let timer: TimerHandle | undefined;
  let stopped = false;
  let total = 0;

  const arm = (ms: number, fn: () => void): void => {
    if (stopped) return;
    timer = o.clock.setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };

  const pass = (): void => {
    let sinks: string[];
    try {
      sinks = o.outbox.sinks();
    } catch (err) {
      o.log.warn({ code: 'E_STORE_WRITE', err: errorMessage(err) }, 'notify: could not prune the outbox; trying again later');
      return arm(everyMs, pass);
    }
    const before = o.clock.now() - o.retentionMs;
    let deleted = 0;
    const step = (): void => {
      const sink = sinks[0];
      if (sink === undefined) {
        total += deleted;
        if (deleted > 0) o.log.info({ event: 'notify.pruned', rows: deleted, retentionDays: o.retentionMs / 86_400_000 }, `notify: pruned ${deleted} finished outbox rows`);
        return arm(everyMs, pass);
      }
      try {
        const r = o.outbox.prune(sink, before, batch);
        deleted += r.deleted;
        if (!r.more) sinks.shift();
      } catch (err) {
        o.log.warn({ code: 'E_STORE_WRITE', sink, err: errorMessage(err) }, 'notify: could not prune the outbox; trying again later');
        total += deleted;
        return arm(everyMs, pass);
      }
      // The next batch a turn later (1 ms: a 0 ms timer set inside a fake-clock tick is due 1 ms later anyway).
      arm(1, step);
    };
    step();
  };

  arm(0, pass);
  return {
    deleted: () => total,
    stop: () => {
      stopped = true;
      if (timer !== undefined) o.clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
