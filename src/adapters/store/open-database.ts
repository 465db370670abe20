import Database from 'better-sqlite3';
import { assertReadable, migrate, SIGNAL_MIGRATIONS, type Migration } from './migrations.js';

export interface OpenSignalDatabaseOptions {
  /** SQLite busy timeout: how long a write waits for another connection's lock. */
  readonly busyTimeoutMs?: number;
  readonly migrations?: readonly Migration[];
}

/**
 * Opens (creating if needed) the signal database for writing: WAL, synchronous=FULL (a commit
 * survives power loss), a busy timeout, then forward migrations.
 */
export function openSignalDatabase(file: string, options: OpenSignalDatabaseOptions = {}): Database.Database {
  const db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    migrate(db, options.migrations ?? SIGNAL_MIGRATIONS);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Opens an existing signal database read-only for queries (the `signals` command); never migrates. */
export function openSignalDatabaseReadOnly(file: string): Database.Database {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    assertReadable(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
