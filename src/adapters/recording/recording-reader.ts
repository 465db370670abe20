import Database from 'better-sqlite3';
import { errorMessage, KrxError } from '../../core/errors.js';
import type { RecordedFrame, RecordingKind, RecordingMeta } from '../../core/recording.js';
import { RECORDING_FORMAT_VERSION } from './recording-file.js';

export interface FrameReadOptions {
  /** Start after this seq (exclusive); default from the beginning. */
  readonly afterSeq?: number;
  /** Rows fetched per query. */
  readonly chunkSize?: number;
}

export interface RecordingReader {
  readonly file: string;
  readonly meta: RecordingMeta;
  frameCount(): number;
  /** Frames in seq order, fetched `chunkSize` rows at a time (never the whole file in memory). */
  frames(options?: FrameReadOptions): Generator<RecordedFrame, void, undefined>;
  close(): void;
}

interface FrameRow {
  seq: number;
  ts_us: number;
  kind: string;
  data: string;
}

/** Opens a recording read-only (a crashed one too: it reads up to the last commit). */
export function openRecordingReader(file: string): RecordingReader {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new KrxError('E_RECORDING_READ', `cannot open recording: ${errorMessage(err)}`, { cause: err, details: { file } });
  }
  let meta: RecordingMeta;
  try {
    meta = readMeta(db);
  } catch (err) {
    db.close();
    if (err instanceof KrxError) throw err;
    throw new KrxError('E_RECORDING_READ', `not a recording: ${errorMessage(err)}`, { cause: err, details: { file } });
  }
  const chunk = db.prepare('SELECT seq, ts_us, kind, data FROM frames WHERE seq > ? ORDER BY seq LIMIT ?');
  return {
    file,
    meta,
    frameCount: () => db.prepare('SELECT count(*) FROM frames').pluck().get() as number,
    *frames(options: FrameReadOptions = {}) {
      const size = Math.max(1, options.chunkSize ?? 2000);
      let after = options.afterSeq ?? 0;
      for (;;) {
        const rows = chunk.all(after, size) as FrameRow[];
        for (const r of rows) yield { seq: r.seq, tsUs: r.ts_us, kind: r.kind as RecordingKind, data: r.data };
        const last = rows.at(-1);
        if (rows.length < size || last === undefined) return;
        after = last.seq;
      }
    },
    close: () => db.close(),
  };
}

function readMeta(db: Database.Database): RecordingMeta {
  const rows = db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[];
  const m = new Map(rows.map((r) => [r.key, r.value]));
  const version = Number(m.get('format_version'));
  const sessionId = m.get('session_id');
  const start = Number(m.get('start'));
  if (!Number.isInteger(version) || sessionId === undefined || !Number.isFinite(start)) {
    throw new KrxError('E_RECORDING_READ', 'recording meta is incomplete');
  }
  if (version > RECORDING_FORMAT_VERSION) {
    throw new KrxError('E_RECORDING_READ', `recording format ${version} is newer than this build (${RECORDING_FORMAT_VERSION})`);
  }
  const end = m.get('end');
  const seed = m.get('seed');
  return {
    sessionId,
    start,
    end: end === undefined ? null : Number(end),
    appVersion: m.get('app_version') ?? '',
    config: parseJson(m.get('config')),
    seed: seed === undefined || seed === '' ? null : seed,
    formatVersion: version,
  };
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
