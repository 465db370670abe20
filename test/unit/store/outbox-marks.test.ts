import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createOutbox, openSignalStore } from '../../../src/adapters/store/index.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { makeTempDir } from '../../support/store/fixtures.js';

describe('outbox state changes', () => {
  it('are committed (another connection sees them) and leave the connection at synchronous=FULL for the signal commits', () => {
    const { dir, cleanup } = makeTempDir('krx-outbox-marks-');
    const store = openSignalStore({ file: `${dir}/signals.db`, clock: createVirtualClock(0), queueLimit: 10 });
    const reader = new Database(`${dir}/signals.db`, { readonly: true });
    try {
      const outbox = createOutbox(store.database);
      outbox.enqueue(['a'], 'alert', 'x1', '{}', 1);
      outbox.enqueue(['a'], 'alert', 'x2', '{}', 1);
      const [first, second] = outbox.pending('a', 10);
      outbox.markSent([first!.seq], 5);
      outbox.markRetry([second!.seq], 9, 'E_NOTIFY_HTTP 500');
      expect(store.database.pragma('synchronous', { simple: true })).toBe(2); // FULL
      expect(reader.prepare('SELECT item_id, state, attempts, done_at FROM outbox ORDER BY seq').all()).toEqual([
        { item_id: 'x1', state: 'sent', attempts: 0, done_at: 5 },
        { item_id: 'x2', state: 'pending', attempts: 1, done_at: null },
      ]);
      // Inside a caller's transaction the pragma cannot change: the mark joins that transaction.
      store.database.transaction(() => outbox.markDead([second!.seq], 10, 'E_NOTIFY_EXPIRED'))();
      expect(reader.prepare("SELECT state FROM outbox WHERE item_id = 'x2'").pluck().get()).toBe('dead');
    } finally {
      reader.close();
      store.close();
      cleanup();
    }
  });
});
