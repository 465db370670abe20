import { openSignalDatabase } from '../../adapters/store/index.js';
import type { Config } from '../../config/schema.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { createRandom } from '../../core/random.js';
import type { DispatcherLog } from './dispatcher.js';
import { startNotifier, type SinkStatus } from './notifier.js';

export interface DeliverPendingOptions {
  readonly config: Pick<Config, 'notify' | 'credentials'>;
  readonly dbFile: string;
  readonly log: DispatcherLog;
  /** Stop waiting after this long (rows left pending stay in the outbox). */
  readonly maxWaitMs: number;
  readonly clock?: Clock;
}

/**
 * Delivers a database's pending outbox rows in real time and returns once none is pending (or the
 * wait is over). Used after `replay --notify`: the replay runs on virtual time and only writes the
 * rows; they leave here, marked as a replay.
 */
export async function deliverPending(o: DeliverPendingOptions): Promise<SinkStatus[]> {
  const clock = o.clock ?? systemClock;
  const db = openSignalDatabase(o.dbFile);
  const notifier = startNotifier({ config: o.config.notify, secrets: o.config.credentials.notify ?? {}, database: db, clock, random: createRandom(`deliver-${o.dbFile}`), log: o.log });
  try {
    const until = clock.monotonic() + o.maxWaitMs;
    while (notifier.status().some((s) => s.depth > 0) && clock.monotonic() < until) {
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 200));
    }
    return notifier.status();
  } finally {
    await notifier.close();
    db.close();
  }
}
