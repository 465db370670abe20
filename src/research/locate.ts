import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { listRecordings } from '../adapters/recording/index.js';
import { errorMessage, KrxError } from '../core/errors.js';

/**
 * Finds the other half of a report's input: the recording of a signals DB's sessions, or the
 * signals of a recording's session, in the data directory layout the daemon and replay write
 * (`<dataDir>/signals.db`, `<dataDir>/recordings/*.rec.db`, `<dataDir>/replays/<session>.db`).
 */
export type InputKind = 'recording' | 'signals';

/** What a file is, by its tables; E_RECORDING_READ when it is neither or cannot be opened. */
export function inputKind(file: string): InputKind {
  if (!existsSync(file)) throw new KrxError('E_RECORDING_READ', `no such file: ${file}`, { details: { file } });
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    if (tables.has('meta') && (tables.has('chunks') || tables.has('frames'))) return 'recording';
    if (tables.has('signals')) return 'signals';
  } catch (err) {
    throw new KrxError('E_RECORDING_READ', `cannot read ${file}: ${errorMessage(err)}`, { cause: err, details: { file } });
  } finally {
    db?.close();
  }
  throw new KrxError('E_RECORDING_READ', `${file} is neither a session recording nor a signals database`, { details: { file } });
}

/** Folders where a signals DB's recordings may be: its own data dir, the one above `replays/`, or above `sweeps/<name>/`. */
export function recordingDirsNear(dbFile: string): string[] {
  const dir = dirname(dbFile);
  return [join(dir, 'recordings'), join(dirname(dir), 'recordings'), join(dirname(dirname(dir)), 'recordings')];
}

/** sessionId -> recording file, from the first folder that has it. */
export function recordingsBySession(dirs: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of dirs) {
    for (const r of listRecordings(dir)) {
      if (r.sessionId !== null && r.error === undefined && !found.has(r.sessionId)) found.set(r.sessionId, r.file);
    }
  }
  return found;
}

/** Signals DBs that may hold a recording's session: the live DB of its data dir, then its replay output. */
export function signalDbsNear(recordingFile: string, sessionId: string): string[] {
  const dataDir = dirname(dirname(recordingFile));
  const candidates = [join(dataDir, 'signals.db'), join(dataDir, 'replays', `${sessionId}.db`)];
  return candidates.filter((f) => existsSync(f) && basename(f) !== basename(recordingFile));
}
