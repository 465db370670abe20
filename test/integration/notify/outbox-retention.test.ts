import { afterEach, describe, expect, it } from 'vitest';
import { createOutbox, openSignalStore } from '../../../src/adapters/store/index.js';
import { startOutboxPruner } from '../../../src/app/notify/outbox-pruner.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { idsIn } from '../../support/fake-chat-servers.js';
import { makeSignal, makeTempDir } from '../../support/store/fixtures.js';
import { startNotifyRig, T0, type LogEntry, type NotifyRig } from './harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** What a month of unattended running needs from the outbox: finished rows pruned, cooldowns kept across restarts. */
describe('outbox retention and cooldown across restarts', () => {
  let rig: NotifyRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  const write = (r: NotifyRig, ns: readonly number[]): string[] =>
    ns.map((n) => {
      const s = makeSignal(n);
      r.store.write(s);
      return s.id;
    });

  const rowsByState = (r: NotifyRig): Record<string, number> =>
    Object.fromEntries(
      (r.store.database.prepare('SELECT sink, state, count(*) AS n FROM outbox GROUP BY sink, state').all() as { sink: string; state: string; n: number }[]).map((x) => [`${x.sink}:${x.state}`, x.n]),
    );

  it('sent rows are pruned notify.retentionDays after they were sent; younger rows and pending rows stay', async () => {
    rig = await startNotifyRig(
      [
        { type: 'webhook', name: 'hook' },
        // A sink that answers 500 all along: its rows stay pending (retried) however old they are.
        { type: 'slack', name: 'down', giveUpAfterSeconds: 3 * 86_400, retryCapMs: 3_600_000 },
      ],
      { retentionDays: 1 },
    );
    rig.fake.setScript((service) => (service === 'slack' ? { status: 500 } : undefined));
    const early = write(rig, [0, 1, 2]);
    await rig.settle();
    await rig.advance(5_000);
    expect(rig.fake.delivered('webhook').flatMap(idsIn)).toEqual(early);
    await rig.advance(12 * HOUR, HOUR);
    const late = write(rig, [3, 4]);
    await rig.settle();
    await rig.advance(5_000);
    expect(rowsByState(rig)).toEqual({ 'hook:sent': 5, 'down:pending': 5 });

    // A day after the first rows were sent, the next hourly pass deletes them (and only them).
    await rig.advance(13 * HOUR, HOUR);
    expect(rowsByState(rig)).toEqual({ 'hook:sent': 2, 'down:pending': 5 });
    const kept = rig.store.database.prepare("SELECT item_id FROM outbox WHERE sink = 'hook' ORDER BY seq").pluck().all();
    expect(kept).toEqual(late);
    const pruned = rig.logs.filter((l) => l.fields['event'] === 'notify.pruned');
    expect(pruned.map((l) => l.fields['rows'])).toEqual([3]);
    // The signals themselves are never pruned, and a pruned signal is not notified again after a restart.
    rig = await rig.restart();
    await rig.advance(5_000);
    expect(rig.fake.delivered('webhook').flatMap(idsIn)).toEqual([...early, ...late]);
    expect(rig.store.database.prepare('SELECT count(*) FROM signals').pluck().get()).toBe(5);
  });

  it('the per-symbol cooldown of a sink survives a restart (restored from its sent rows)', async () => {
    rig = await startNotifyRig([{ type: 'slack', name: 'cool', cooldownSeconds: 60 }]);
    write(rig, [0]); // 005930
    await rig.settle();
    await rig.advance(5_000);
    rig = await rig.restart();
    write(rig, [3, 1]); // 005930 again within the cooldown, then 000660
    await rig.settle();
    await rig.advance(5_000);
    expect(rig.fake.delivered('slack').flatMap(idsIn)).toEqual(['sig-000000', 'sig-000001']);
    expect(rig.notifier.status()[0]).toMatchObject({ skipped: 1 });
    // Once the cooldown has passed, the symbol is notified again.
    await rig.advance(60_000, 1_000);
    write(rig, [6]); // 005930
    await rig.settle();
    await rig.advance(5_000);
    expect(rig.fake.delivered('slack').flatMap(idsIn)).toEqual(['sig-000000', 'sig-000001', 'sig-000006']);
  });
});

describe('outbox pruning in short transactions', () => {
  it('deletes the old finished rows of every sink in batches over several turns, stops at the first young row, logs once', async () => {
    const { dir, cleanup } = makeTempDir('krx-prune-');
    const clock = createVirtualClock(T0);
    const store = openSignalStore({ file: `${dir}/signals.db`, clock, queueLimit: 1000 });
    try {
      const outbox = createOutbox(store.database);
      const add = (sink: string, n: number, doneAt: number, state: 'sent' | 'dead' | 'skipped' | 'pending'): void => {
        for (let i = 0; i < n; i++) outbox.enqueue([sink], 'alert', `${sink}-${state}-${doneAt}-${i}`, '{}', doneAt);
        const seqs = store.database.prepare("SELECT seq FROM outbox WHERE sink = ? AND state = 'pending' AND created_at = ? ORDER BY seq").pluck().all(sink, doneAt) as number[];
        if (state === 'sent') outbox.markSent(seqs, doneAt);
        if (state === 'dead') outbox.markDead(seqs, doneAt, 'E_NOTIFY_EXPIRED');
        if (state === 'skipped') outbox.markSkipped(seqs, doneAt, 'cooldown');
      };
      add('a', 1_200, T0 - 10 * DAY, 'sent');
      add('a', 3, T0 - 9 * DAY, 'dead');
      add('a', 4, T0 - 9 * DAY, 'skipped');
      add('a', 2, T0 - 10 * DAY, 'pending');
      add('a', 5, T0 - HOUR, 'sent');
      add('gone', 7, T0 - 8 * DAY, 'sent'); // a sink no longer configured

      expect(outbox.sinks()).toEqual(['a', 'gone']);
      // One call looks at most `limit` rows per state and says when there are more.
      expect(outbox.prune('a', T0 - 7 * DAY, 500)).toEqual({ deleted: 507, more: true });

      const logs: LogEntry[] = [];
      const log = {
        info: (fields: Record<string, unknown>, msg: string) => logs.push({ level: 'info', fields, msg }),
        warn: (fields: Record<string, unknown>, msg: string) => logs.push({ level: 'warn', fields, msg }),
        error: (fields: Record<string, unknown>, msg: string) => logs.push({ level: 'error', fields, msg }),
      };
      const pruner = startOutboxPruner({ outbox, clock, log, retentionMs: 7 * DAY, batch: 500 });
      // Each batch is its own timer turn (a 0 ms timer fired within a tick lands 1 ms later on the fake clock).
      await clock.tickAsync(50);
      pruner.stop();
      const left = store.database.prepare('SELECT sink, state, count(*) AS n FROM outbox GROUP BY sink, state ORDER BY sink, state').all();
      expect(left).toEqual([
        { sink: 'a', state: 'pending', n: 2 },
        { sink: 'a', state: 'sent', n: 5 },
      ]);
      expect(pruner.deleted()).toBe(1_200 - 500 + 7);
      expect(logs.filter((l) => l.fields['event'] === 'notify.pruned').map((l) => l.fields['rows'])).toEqual([707]);
    } finally {
      store.close();
      cleanup();
    }
  });
});
