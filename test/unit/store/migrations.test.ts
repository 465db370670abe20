import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, SIGNAL_MIGRATIONS, type Migration } from '../../../src/adapters/store/migrations.js';
import { openSignalDatabase, openSignalDatabaseReadOnly } from '../../../src/adapters/store/open-database.js';
import { makeTempDir } from '../../support/store/fixtures.js';

// The schema's first step alone: these tests append made-up steps after it.
const FIRST = SIGNAL_MIGRATIONS.slice(0, 1);

describe('signal store migrations', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let file: string;
  beforeEach(() => {
    tmp = makeTempDir();
    file = join(tmp.dir, 'signals.db');
  });
  afterEach(() => tmp.cleanup());

  it('migrates an older database forward, step by step, keeping its rows', () => {
    const v1 = openSignalDatabase(file, { migrations: FIRST });
    v1.prepare("INSERT INTO signals (id, session_id, strategy, strategy_version, symbol, kind, price, ts_event, ts_recv) VALUES ('a','s','x','1','005930','BUY',1,1,1)").run();
    v1.close();
    const applied: number[] = [];
    const next: Migration[] = [
      ...FIRST,
      { version: 2, up: (db) => (applied.push(2), db.exec('ALTER TABLE signals ADD COLUMN note TEXT'), undefined) },
      { version: 3, up: (db) => (applied.push(3), db.exec("UPDATE signals SET note = 'migrated'"), undefined) },
    ];
    const db = openSignalDatabase(file, { migrations: next });
    expect(applied).toEqual([2, 3]);
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    expect(db.prepare('SELECT id, note FROM signals').get()).toEqual({ id: 'a', note: 'migrated' });
    db.close();
    // Opening again runs nothing.
    openSignalDatabase(file, { migrations: next }).close();
    expect(applied).toEqual([2, 3]);
  });

  it('rolls a failing step back and leaves the previous version', () => {
    openSignalDatabase(file, { migrations: FIRST }).close();
    const bad: Migration[] = [...FIRST, { version: 2, up: (db) => db.exec('CREATE TABLE t (a); SELECT * FROM nope') }];
    expect(() => openSignalDatabase(file, { migrations: bad })).toThrow(/nope/);
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 't'").pluck().get()).toBe(0);
    db.close();
  });

  it('refuses a database newer than this build, with E_STORE_SCHEMA, without touching it', () => {
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openSignalDatabase(file)).toThrow(expect.objectContaining({ code: 'E_STORE_SCHEMA' }));
    expect(() => openSignalDatabaseReadOnly(file)).toThrow(expect.objectContaining({ code: 'E_STORE_SCHEMA' }));
    const again = new Database(file);
    expect(again.pragma('user_version', { simple: true })).toBe(99);
    again.close();
  });

  it('refuses a migration list that is not ordered 1..n', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [{ version: 2, up: () => {} }])).toThrow(expect.objectContaining({ code: 'E_INVARIANT' }));
    db.close();
  });

  it('read-only open refuses a missing file and a non-krx database', () => {
    expect(() => openSignalDatabaseReadOnly(join(tmp.dir, 'missing.db'))).toThrow();
    new Database(join(tmp.dir, 'other.db')).close();
    expect(() => openSignalDatabaseReadOnly(join(tmp.dir, 'other.db'))).toThrow(expect.objectContaining({ code: 'E_STORE_SCHEMA' }));
  });
});
