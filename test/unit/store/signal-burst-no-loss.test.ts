import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSignalStore } from '../../../src/adapters/store/signal-store.js';
import { createOutbox } from '../../../src/adapters/store/outbox.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { captureLog, makeSignal, makeTempDir, manualSchedule } from '../../support/store/fixtures.js';

/**
 * Issue 20 item 9: a burst of 200,000 signals in one session lost 28.5 % to the store's queue limit
 * on a healthy disk. The store now commits each full batch inside write(), so the producer is slowed
 * by the disk instead of the queue overflowing.
 */
describe('a 200,000-signal burst loses nothing to the queue limit on a healthy disk', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => tmp.cleanup());

  it('commits every signal of a burst written in one turn, with a queue limit of half the burst', { timeout: 60_000 }, () => {
    const log = captureLog();
    const sched = manualSchedule(); // no turn ever runs during the burst: the worst case for the queue
    const store = openSignalStore({ file: join(tmp.dir, 'burst.db'), clock: createVirtualClock(0), log, queueLimit: 100_000, schedule: sched.schedule, sessionMode: 'sim' });
    let committed = 0;
    store.onCommitted((ids) => (committed += ids.length));
    for (let i = 0; i < 200_000; i++) store.write(makeSignal(i));
    sched.run();
    const stats = store.stats();
    expect(stats).toMatchObject({ dropped: 0, queued: 0, committed: 200_000, writeErrors: 0 });
    expect(stats.inlineCommits).toBeGreaterThanOrEqual(199);
    expect(committed).toBe(200_000);
    expect(log.codes()).not.toContain('E_STORE_QUEUE_FULL');
    expect(store.database.prepare('SELECT count(*) FROM signals').pluck().get()).toBe(200_000);
    store.close();
  });

  it('drops only when the disk cannot write, and then as a logged, counted alert', () => {
    const log = captureLog();
    const sched = manualSchedule();
    const store = openSignalStore({ file: join(tmp.dir, 'ro.db'), clock: createVirtualClock(0), log, queueLimit: 50, maxBatch: 10, schedule: sched.schedule });
    store.database.pragma('query_only = ON');
    for (let i = 0; i < 80; i++) store.write(makeSignal(i));
    expect(store.stats().dropped).toBe(30);
    const full = log.lines.filter((l) => l.fields['code'] === 'E_STORE_QUEUE_FULL');
    expect(full).toHaveLength(1);
    expect(full[0]?.level).toBe('error');
    expect(full[0]?.fields['alert']).toBe(true);
    store.database.pragma('query_only = OFF');
    store.close();
  });

  it('writes one outbox row per matching sink in the signal transaction, and none for a duplicate', () => {
    const clock = createVirtualClock(1_000);
    const sched = manualSchedule();
    const store = openSignalStore({
      file: join(tmp.dir, 'outbox.db'),
      clock,
      queueLimit: 100,
      schedule: sched.schedule,
      outbox: { sinksFor: (s) => (s.symbol === '005930' ? ['tg', 'hook'] : ['hook']) },
    });
    store.write(makeSignal(0, { symbol: '005930' }));
    store.write(makeSignal(1, { symbol: '000660' }));
    sched.run();
    store.write(makeSignal(0, { symbol: '005930' })); // emitted again (a restart): ignored by both tables
    sched.run();
    const outbox = createOutbox(store.database);
    expect(outbox.pending('tg', 10).map((r) => [r.itemId, r.signal?.symbol])).toEqual([['sig-000000', '005930']]);
    expect(outbox.pending('hook', 10).map((r) => r.itemId)).toEqual(['sig-000000', 'sig-000001']);
    expect(store.stats().outboxRows).toBe(3);
    // A failed commit writes neither the signal nor its outbox rows.
    store.database.pragma('query_only = ON');
    store.write(makeSignal(2, { symbol: '005930' }));
    sched.run();
    store.database.pragma('query_only = OFF');
    expect(store.stats()).toMatchObject({ outboxRows: 3, writeErrors: 1 });
    expect(store.flush()).toBe(true);
    expect(outbox.pending('tg', 10).map((r) => r.itemId)).toEqual(['sig-000000', 'sig-000002']);
    expect(store.stats().outboxRows).toBe(5);
    store.close();
  });
});
