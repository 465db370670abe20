import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { openSignalStore } from '../../../src/adapters/store/signal-store.js';
import { openSignalDatabase, openSignalDatabaseReadOnly } from '../../../src/adapters/store/open-database.js';
import { SIGNAL_MIGRATIONS } from '../../../src/adapters/store/migrations.js';
import { querySignals } from '../../../src/adapters/store/query-signals.js';
import { csvCell, formatSignals } from '../../../src/adapters/store/format-signals.js';
import { makeSignal, makeTempDir } from '../../support/store/fixtures.js';
import type { Signal } from '../../../src/core/signal.js';

const T0 = Date.UTC(2026, 10, 21, 0, 0, 0); // 2026-11-21 09:00:00 KST

describe('querySignals and formatSignals', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => tmp.cleanup());

  function seed(file: string, signals: readonly Signal[]): void {
    const store = openSignalStore({ file, clock: createVirtualClock(0), queueLimit: 1000, schedule: () => {} });
    for (const s of signals) store.write(s);
    store.close();
  }

  it('filters and orders by (tsEvent, id) whatever the insertion order', () => {
    const file = join(tmp.dir, 'a.db');
    const signals = Array.from({ length: 12 }, (_, i) => makeSignal(i));
    signals.push(makeSignal(100, { id: 'aaa-tie', tsEvent: makeSignal(3).tsEvent }));
    seed(file, [...signals].reverse());
    const db = openSignalDatabaseReadOnly(file);
    const all = querySignals(db);
    expect(all.map((r) => r.id).slice(0, 5)).toEqual(['sig-000000', 'sig-000001', 'sig-000002', 'aaa-tie', 'sig-000003']);
    expect(querySignals(db, { strategy: 'breakout' }).every((r) => r.strategy === 'breakout')).toBe(true);
    expect(querySignals(db, { symbol: '000660' }).map((r) => r.id)).toEqual(['sig-000001', 'aaa-tie', 'sig-000004', 'sig-000007', 'sig-000010']);
    expect(querySignals(db, { since: makeSignal(10).tsEvent }).map((r) => r.id)).toEqual(['sig-000010', 'sig-000011']);
    expect(querySignals(db, { since: makeSignal(2).tsEvent, until: makeSignal(4).tsEvent, strategy: 'breakout' }).map((r) => r.id)).toEqual(['sig-000002', 'aaa-tie']);
    expect(querySignals(db, { sessionId: 'other' })).toEqual([]);
    expect(querySignals(db, { limit: 2 })).toHaveLength(2);
    db.close();
  });

  it('jsonl is byte-identical for the same contents, whatever the write order and details key order', () => {
    const a = join(tmp.dir, 'a.db');
    const b = join(tmp.dir, 'b.db');
    const signals = Array.from({ length: 30 }, (_, i) => makeSignal(i, { details: { z: i, a: { y: [1, 'two'], b: null } } }));
    seed(a, signals);
    seed(b, [...signals].reverse().map((s) => ({ ...s, details: { a: { b: null, y: [1, 'two'] }, z: s.details['z'] } })));
    const [da, db] = [openSignalDatabaseReadOnly(a), openSignalDatabaseReadOnly(b)];
    const ja = formatSignals(querySignals(da), 'jsonl');
    expect(ja).toBe(formatSignals(querySignals(db), 'jsonl'));
    da.close();
    db.close();
    const first = ja.split('\n')[0] ?? '';
    expect(first).toBe(
      '{"id":"sig-000000","sessionId":"s1","strategy":"breakout","strategyVersion":"1.0.0","symbol":"005930","venue":"KRX","kind":"BUY","price":70000,' +
        `"tsEvent":${T0},"tsRecv":${T0 + 5},"details":{"a":{"b":null,"y":[1,"two"]},"z":0}}`,
    );
    expect(ja.endsWith('\n')).toBe(true);
    expect(ja.split('\n')).toHaveLength(31);
  });

  it('csv follows RFC 4180', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    const rows = [{ ...rec(1), detailsJson: '{"note":"a, \\"b\\""}', price: null }];
    expect(formatSignals(rows, 'csv')).toBe(
      'id,sessionId,strategy,strategyVersion,symbol,kind,price,tsEvent,tsRecv,timeKst,details,sessionMode,venue\r\n' +
        `x1,s1,breakout,1.0.0,005930,BUY,,${T0 + 1000},${T0 + 1005},2026-11-21 09:00:01.000,"{""note"":""a, \\""b\\""""}",sim,KRX\r\n`,
    );
  });

  it('table aligns columns and shows KST time', () => {
    const out = formatSignals([rec(1), { ...rec(2), strategy: 'a-much-longer-name', price: 123456.5, venue: 'SOR' as const }], 'table');
    expect(out).toBe(
      [
        'TIME (KST)               STRATEGY                  SYMBOL  VENUE  KIND     PRICE  SESSION  MODE  ID',
        '2026-11-21 09:00:01.000  breakout@1.0.0            005930  KRX    BUY      70001  s1       sim   x1',
        '2026-11-21 09:00:02.000  a-much-longer-name@1.0.0  005930  SOR    BUY   123456.5  s1       sim   x2',
        '',
      ].join('\n'),
    );
    expect(formatSignals([], 'table')).toBe('TIME (KST)  STRATEGY  SYMBOL  VENUE  KIND  PRICE  SESSION  MODE  ID\n');
    expect(formatSignals([], 'jsonl')).toBe('');
  });

  it('every row carries its session and mode; a schema-1 database still reads (mode unknown)', () => {
    const file = join(tmp.dir, 'modes.db');
    const store = openSignalStore({ file, clock: createVirtualClock(0), queueLimit: 10, schedule: () => {}, sessionMode: 'replay' });
    store.write(makeSignal(1));
    store.close();
    const db = openSignalDatabaseReadOnly(file);
    expect(querySignals(db).map((r) => [r.sessionId, r.sessionMode])).toEqual([['s1', 'replay']]);
    expect(formatSignals(querySignals(db), 'table')).toContain('  s1       replay  ');
    db.close();

    // A database written by a build before the column existed, opened read-only (never migrated).
    const old = join(tmp.dir, 'v1.db');
    const v1 = openSignalDatabase(old, { migrations: SIGNAL_MIGRATIONS.slice(0, 1) });
    v1.prepare("INSERT INTO signals (id, session_id, strategy, strategy_version, symbol, kind, price, ts_event, ts_recv) VALUES ('a','s0','x','1','005930','BUY',1,1,1)").run();
    v1.close();
    const ro = openSignalDatabaseReadOnly(old);
    expect(querySignals(ro).map((r) => [r.id, r.sessionId, r.sessionMode])).toEqual([['a', 's0', null]]);
    expect(formatSignals(querySignals(ro), 'csv').split('\r\n')[1]?.endsWith(',{},,KRX')).toBe(true);
    expect(querySignals(ro, { venue: 'KRX' }).map((r) => r.venue)).toEqual(['KRX']);
    expect(querySignals(ro, { venue: 'NXT' })).toEqual([]);
    ro.close();
    // Migrated forward, the old row keeps a NULL mode and new rows get theirs.
    const migrated = openSignalStore({ file: old, clock: createVirtualClock(0), queueLimit: 10, schedule: () => {}, sessionMode: 'live' });
    migrated.write(makeSignal(2));
    migrated.close();
    const after = openSignalDatabaseReadOnly(old);
    expect(querySignals(after).map((r) => r.sessionMode)).toEqual([null, 'live']);
    // The venue column (schema 4): the old row reads KRX (bare codes were all the daemon subscribed).
    expect(querySignals(after).map((r) => r.venue)).toEqual(['KRX', 'KRX']);
    after.close();
  });

  it('keeps non-JSON details from foreign rows readable as a string', () => {
    expect(formatSignals([{ ...rec(1), detailsJson: 'not json' }], 'jsonl')).toContain('"details":"not json"}');
  });
});

function rec(n: number) {
  return {
    id: `x${n}`,
    sessionId: 's1',
    strategy: 'breakout',
    strategyVersion: '1.0.0',
    symbol: '005930',
    venue: 'KRX' as const,
    kind: 'BUY' as const,
    price: 70000 + n,
    tsEvent: T0 + n * 1000,
    tsRecv: T0 + n * 1000 + 5,
    detailsJson: '{}',
    sessionMode: 'sim' as const,
  };
}
