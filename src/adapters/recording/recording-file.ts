import { KrxError } from '../../core/errors.js';
import { kstParts } from '../../core/kst.js';

export const RECORDING_SUFFIX = '.rec.db';
/**
 * 3: chunks with their frame bytes deflated (raw deflate); 2: chunks stored plain
 * (recording-chunk.ts); 1: one row per frame. All three are read.
 */
export const RECORDING_FORMAT_VERSION = 3;

export const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

/** `2026-11-21T090000+0900_<sessionId>.rec.db`: KST start time first, so names sort by start. */
export function recordingFileName(sessionId: string, startMs: number): string {
  if (!SESSION_ID.test(sessionId)) {
    throw new KrxError('E_RECORDING_WRITE', 'session id must be 1-80 characters of A-Z a-z 0-9 . _ - (it names a file)', { details: { sessionId } });
  }
  const p = kstParts(startMs);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}${pad(p.minute)}${pad(p.second)}+0900_${sessionId}${RECORDING_SUFFIX}`;
}

export const RECORDING_SCHEMA = `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE chunks (first_seq INTEGER PRIMARY KEY, count INTEGER NOT NULL, ts_us BLOB NOT NULL, kinds BLOB NOT NULL, lens BLOB NOT NULL, data BLOB NOT NULL);
`;

/** The writer's statements (the worker thread runs them too: recording-worker-source.ts). */
export const INSERT_CHUNK_SQL = 'INSERT INTO chunks (first_seq, count, ts_us, kinds, lens, data) VALUES (?, ?, ?, ?, ?, ?)';
export const SET_META_SQL = 'INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)';

/** Format 1, read only: one row per frame. */
export const RECORDING_SCHEMA_V1 = `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE frames (seq INTEGER PRIMARY KEY, ts_us INTEGER NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL);
`;
