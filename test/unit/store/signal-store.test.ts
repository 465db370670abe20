import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { openSignalStore, type SignalStore } from '../../../src/adapters/store/signal-store.js';
import { SIGNAL_MIGRATIONS } from '../../../src/adapters/store/migrations.js';
import { captureLog, makeSignal, makeTempDir, manualSchedule } from '../../support/store/fixtures.js';

describe('signal store', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let file: string;
  const open: SignalStore[] = [];
  beforeEach(() => {
    tmp = makeTempDir();
    file = join(tmp.dir, 'signals.db');
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
    tmp.cleanup();
  });

  function setup(queueLimit = 1000, maxBatch?: number) {
    const clock = createVirtualClock(0);
    const sched = manualSchedule();
    const log = captureLog();
    const store = openSignalStore({ file, clock, log, queueLimit, schedule: sched.schedule, ...(maxBatch ? { maxBatch } : {}) });
    open.push(store);
    const committed: string[] = [];
    store.onCommitted((signals) => committed.push(...signals.map((s) => s.id)));
    return { clock, sched, log, store, committed };
  }

  const count = (db: Database.Database): number => (db.prepare('SELECT count(*) AS n FROM signals').get() as { n: number }).n;

  it('opens with WAL, synchronous FULL and the schema version', () => {
    const { store } = setup();
    expect(store.database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.database.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.database.pragma('user_version', { simple: true })).toBe(SIGNAL_MIGRATIONS.length);
  });

  it('queues writes and commits them in one transaction on the next turn', () => {
    const { sched, store, committed } = setup();
    for (let i = 0; i < 10; i++) store.write(makeSignal(i));
    expect(store.stats().queued).toBe(10);
    expect(count(store.database)).toBe(0);
    expect(sched.pending()).toBe(1); // one turn scheduled, not one per write
    sched.run();
    expect(count(store.database)).toBe(10);
    expect(committed).toHaveLength(10);
    expect(store.stats()).toMatchObject({ queued: 0, committed: 10, duplicates: 0 });
  });

  it('commits each full batch inside write (backpressure), the remainder on the next turn', () => {
    const { sched, store } = setup(1000, 4);
    for (let i = 0; i < 10; i++) store.write(makeSignal(i));
    expect(count(store.database)).toBe(8);
    expect(store.stats()).toMatchObject({ queued: 2, inlineCommits: 2 });
    sched.run();
    expect(count(store.database)).toBe(10);
    expect(sched.pending()).toBe(0);
  });

  it('inserts idempotently and counts duplicates', () => {
    const { sched, store, committed } = setup();
    store.write(makeSignal(1));
    store.write(makeSignal(1, { price: 1 }));
    sched.run();
    store.write(makeSignal(1));
    expect(store.flush()).toBe(true);
    expect(count(store.database)).toBe(1);
    expect(store.stats()).toMatchObject({ committed: 1, duplicates: 2 });
    // Only the insert that changed a row is handed over: a duplicate was durable already.
    expect(committed).toEqual(['sig-000001']);
    const row = store.database.prepare('SELECT price, details FROM signals').get() as { price: number; details: string };
    expect(row.price).toBe(70001); // the first write wins
    expect(row.details).toBe('{"rank":1,"reason":"test"}');
  });

  it('refuses malformed signals without throwing and without poisoning the batch', () => {
    const { store, log } = setup();
    store.write(makeSignal(1));
    expect(() => store.write({ ...makeSignal(2), id: '' })).not.toThrow();
    expect(() => store.write({ ...makeSignal(3), tsEvent: Number.NaN })).not.toThrow();
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => store.write({ ...makeSignal(4), details: cyclic })).not.toThrow();
    store.write(makeSignal(5));
    expect(store.flush()).toBe(true);
    expect(count(store.database)).toBe(2);
    expect(store.stats().rejected).toBe(3);
    expect(log.codes()).toEqual(['E_STORE_WRITE', 'E_STORE_WRITE', 'E_STORE_WRITE']);
  });

  it('stores a non-finite or missing price as NULL', () => {
    const { store } = setup();
    store.write(makeSignal(1, { price: Number.POSITIVE_INFINITY }));
    store.write(makeSignal(2, { price: null }));
    store.flush();
    const prices = store.database.prepare('SELECT price FROM signals ORDER BY id').pluck().all();
    expect(prices).toEqual([null, null]);
  });

  it('keeps signals queued on a full disk (SQLITE_FULL), retries with backoff on the clock and recovers', () => {
    const { clock, sched, log, store, committed } = setup();
    for (let i = 0; i < 5; i++) store.write(makeSignal(i));
    sched.run();
    expect(committed).toHaveLength(5);
    // Emulate a full disk: the file may not grow by a single page.
    const pages = store.database.pragma('page_count', { simple: true }) as number;
    store.database.pragma(`max_page_count = ${pages}`);
    const big = 'x'.repeat(3000);
    for (let i = 5; i < 40; i++) store.write(makeSignal(i, { details: { big } }));
    expect(() => sched.run()).not.toThrow();
    expect(log.lines.at(-1)?.fields).toMatchObject({ code: 'E_STORE_WRITE', sqlite: 'SQLITE_FULL' });
    expect(store.stats()).toMatchObject({ queued: 35, writeErrors: 1 });
    // During backoff, writes queue without scheduling turns.
    store.write(makeSignal(40));
    expect(sched.pending()).toBe(0);
    expect(clock.pendingTimers()).toBe(1);
    clock.tick(100); // first retry: still full
    expect(store.stats().writeErrors).toBe(2);
    clock.tick(199);
    expect(store.stats().writeErrors).toBe(2); // backoff doubled to 200 ms
    clock.tick(1);
    expect(store.stats().writeErrors).toBe(3);
    // Space comes back: the next retry commits, and nothing committed before was lost.
    store.database.pragma('max_page_count = 1073741823');
    clock.tick(400);
    while (sched.pending() > 0) sched.run();
    expect(store.stats()).toMatchObject({ queued: 0, committed: 41, dropped: 0 });
    expect(count(store.database)).toBe(41);
    expect(committed).toHaveLength(41);
    expect(store.database.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(log.lines.at(-1)?.msg).toMatch(/writing again/);
  });

  it('keeps signals queued while the database is read-only (query_only) and commits after', () => {
    const { clock, sched, log, store } = setup();
    store.database.pragma('query_only = 1');
    store.write(makeSignal(1));
    sched.run();
    expect(log.lines[0]?.fields).toMatchObject({ code: 'E_STORE_WRITE', sqlite: 'SQLITE_READONLY' });
    store.database.pragma('query_only = 0');
    clock.tick(100);
    expect(count(store.database)).toBe(1);
  });

  it('keeps signals queued while another connection holds an exclusive lock', () => {
    const clock = createVirtualClock(0);
    const sched = manualSchedule();
    const log = captureLog();
    const store = openSignalStore({ file, clock, log, queueLimit: 100, schedule: sched.schedule, busyTimeoutMs: 0 });
    open.push(store);
    const other = new Database(file);
    other.exec('BEGIN EXCLUSIVE');
    store.write(makeSignal(1));
    sched.run();
    expect(log.lines[0]?.fields).toMatchObject({ code: 'E_STORE_WRITE', sqlite: 'SQLITE_BUSY' });
    other.exec('COMMIT');
    other.close();
    clock.tick(100);
    expect(count(store.database)).toBe(1);
  });

  it('bounds the queue: beyond queueLimit the oldest are dropped, counted and logged once', () => {
    const { clock, sched, log, store } = setup(10);
    store.database.pragma('query_only = 1');
    for (let i = 0; i < 25; i++) store.write(makeSignal(i));
    sched.run();
    expect(store.stats()).toMatchObject({ queued: 10, dropped: 15 });
    expect(log.codes().filter((c) => c === 'E_STORE_QUEUE_FULL')).toHaveLength(1);
    store.database.pragma('query_only = 0');
    clock.tick(100);
    const ids = store.database.prepare('SELECT id FROM signals ORDER BY id').pluck().all();
    expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => makeSignal(i + 15).id)); // the newest survive
  });

  it('flush() commits synchronously and cancels a pending retry; close() flushes', () => {
    const { clock, sched, store } = setup();
    store.database.pragma('query_only = 1');
    store.write(makeSignal(1));
    sched.run();
    expect(store.flush()).toBe(false);
    store.database.pragma('query_only = 0');
    expect(store.flush()).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
    store.write(makeSignal(2));
    store.close();
    store.write(makeSignal(3)); // after close: counted as dropped, no throw
    expect(() => sched.run()).not.toThrow();
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM signals').pluck().get()).toBe(2);
    db.close();
  });

  it('contains a throwing onCommitted listener', () => {
    const { store, log, committed } = setup();
    store.onCommitted(() => {
      throw new Error('boom');
    });
    store.write(makeSignal(1));
    expect(store.flush()).toBe(true);
    expect(committed).toHaveLength(1);
    expect(log.lines[0]?.msg).toMatch(/listener threw/);
  });
});
