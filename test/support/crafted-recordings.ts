import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { FIXTURE_DIR } from './record-fixtures.js';

/** A writable copy of a fixture session (gunzipped) in a fresh temp dir. */
export function fixtureCopy(name = 'sim-faults-2min'): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'krx-crafted-'));
  const file = join(dir, `${name}.rec.db`);
  writeFileSync(file, gunzipSync(readFileSync(join(FIXTURE_DIR, `${name}.rec.db.gz`))));
  return { dir, file };
}

/** Edits a recording file in place with raw SQL access (the attacker's view of the file). */
export function craft(file: string, edit: (db: Database.Database) => void): string {
  const db = new Database(file);
  try {
    edit(db);
  } finally {
    db.close();
  }
  return file;
}

export function setMeta(db: Database.Database, key: string, value: string): void {
  db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
}

/** Restamps frame `index` of the chunk starting at `firstSeq` (format 2) with `tsUs`. */
export function restampFrame(db: Database.Database, firstSeq: number, index: number, tsUs: number): void {
  const row = db.prepare('SELECT ts_us FROM chunks WHERE first_seq = ?').get(firstSeq) as { ts_us: Buffer };
  const ts = Buffer.from(row.ts_us);
  ts.writeDoubleLE(tsUs, index * 8);
  db.prepare('UPDATE chunks SET ts_us = ? WHERE first_seq = ?').run(ts, firstSeq);
}

export function copyTo(file: string, dest: string): string {
  copyFileSync(file, dest);
  return dest;
}
