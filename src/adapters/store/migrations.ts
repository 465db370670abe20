import type Database from 'better-sqlite3';
import { KrxError } from '../../core/errors.js';

/** One forward step of the schema; `version` is the PRAGMA user_version after it ran. */
export interface Migration {
  readonly version: number;
  readonly up: (db: Database.Database) => void;
}

/** The signal store's schema history, oldest first. Append only: never edit a released step. */
export const SIGNAL_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    up: (db) => {
      db.exec(`
        CREATE TABLE signals (
          id TEXT PRIMARY KEY,
          session_id TEXT NOT NULL,
          strategy TEXT NOT NULL,
          strategy_version TEXT NOT NULL,
          symbol TEXT NOT NULL,
          kind TEXT NOT NULL,
          price REAL,
          ts_event INTEGER NOT NULL,
          ts_recv INTEGER NOT NULL,
          details TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX signals_ts ON signals (ts_event, id);
        CREATE INDEX signals_strategy_ts ON signals (strategy, ts_event);
        CREATE INDEX signals_symbol_ts ON signals (symbol, ts_event);
        CREATE INDEX signals_session_ts ON signals (session_id, ts_event);
      `);
    },
  },
  {
    // Issue 20 item 16: each row says which session mode wrote it; rows from before stay NULL.
    version: 2,
    up: (db) => {
      db.exec(`ALTER TABLE signals ADD COLUMN session_mode TEXT;`);
    },
  },
  {
    // The notification outbox (design.md §4), written in the signal's own transaction. `item_id` is a
    // signal id (kind 'signal') or an alert's idempotency id (kind 'alert'/'digest', text in `body`).
    version: 3,
    up: (db) => {
      db.exec(`
        CREATE TABLE outbox (
          seq INTEGER PRIMARY KEY,
          sink TEXT NOT NULL,
          kind TEXT NOT NULL DEFAULT 'signal',
          item_id TEXT NOT NULL,
          body TEXT,
          replay INTEGER NOT NULL DEFAULT 0,
          state TEXT NOT NULL DEFAULT 'pending',
          attempts INTEGER NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL,
          next_at INTEGER NOT NULL,
          done_at INTEGER,
          last_error TEXT,
          UNIQUE (item_id, sink)
        );
        CREATE INDEX outbox_pending ON outbox (sink, state, seq);
      `);
    },
  },
  {
    // Issue 14 item 3: the venue is part of the instrument (and of the signal id). Rows written before
    // read as KRX: the daemon subscribed bare (KRX) codes only until the venue choice existed.
    version: 4,
    up: (db) => {
      db.exec(`ALTER TABLE signals ADD COLUMN venue TEXT NOT NULL DEFAULT 'KRX';`);
    },
  },
];

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings `db` up to the last migration, each step in its own transaction (a crash mid-way leaves
 * the previous version). A database newer than this build is refused, never touched.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = SIGNAL_MIGRATIONS): number {
  assertOrdered(migrations);
  const target = migrations.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > target) {
    throw new KrxError('E_STORE_SCHEMA', `database schema version ${current} is newer than this build (${target}); upgrade krx-signals`, {
      details: { found: current, supported: target },
    });
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return target;
}

/** Refuses a database this build cannot read (used by read-only openers, which never migrate). */
export function assertReadable(db: Database.Database, migrations: readonly Migration[] = SIGNAL_MIGRATIONS): void {
  const target = migrations.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > target || current === 0) {
    throw new KrxError('E_STORE_SCHEMA', current === 0 ? 'not a krx-signals database (schema version 0)' : `database schema version ${current} is newer than this build (${target})`, {
      details: { found: current, supported: target },
    });
  }
}

function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new KrxError('E_INVARIANT', `migration ${i} has version ${m.version}, expected ${i + 1}`);
  });
}
