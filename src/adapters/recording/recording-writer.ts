import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorMessage, KrxError } from '../../core/errors.js';
import { formatKstDashed } from '../../core/kst.js';
import type { FrameRecorder, RecordingKind } from '../../core/recording.js';
import { RECORDING_FORMAT_VERSION, RECORDING_SCHEMA, recordingFileName } from './recording-file.js';
import { recordingRefusal } from './recording-guard.js';
import { silentRecordingLogger, type RecordingLogger } from './recording-logger.js';

export interface RecordingWriterOptions {
  /** Directory of recordings (created if missing), e.g. `data/recordings`. */
  readonly dir: string;
  readonly sessionId: string;
  /** Session start, epoch ms: names the file. */
  readonly startMs: number;
  readonly appVersion: string;
  /** A config summary WITHOUT secrets; stored as JSON. */
  readonly config?: unknown;
  readonly seed?: string | number | null;
  /** Drives the periodic commit; close() stamps the end from it. */
  readonly clock: Clock;
  readonly log?: RecordingLogger;
  /** Commit as soon as this many frames are pending (bounds memory under a tight producer). */
  readonly batchRows?: number;
  /** Commit whatever is pending at this period. */
  readonly flushIntervalMs?: number;
  /** Most frames held while the file cannot be written; beyond it the oldest are dropped. */
  readonly maxPendingRows?: number;
  /** Exact secret values the guard also scans for (app keys, tokens). */
  readonly secrets?: readonly string[];
  /** SQLite busy timeout; the recording is ours alone, so waiting is rarely needed. */
  readonly busyTimeoutMs?: number;
}

export interface RecordingWriterStats {
  readonly appended: number;
  readonly committed: number;
  readonly pending: number;
  /** Refused by the secret guard or malformed. */
  readonly refused: number;
  /** Lost to write failures or appended after close (their seq numbers leave gaps). */
  readonly dropped: number;
  readonly writeErrors: number;
}

export interface RecordingWriter extends FrameRecorder {
  readonly file: string;
  /** Commits pending frames now; true when nothing is left pending. */
  flush(): boolean;
  /** Commits, writes the end meta, folds the WAL back into a single file and closes. Idempotent. */
  close(endMs?: number): void;
  stats(): RecordingWriterStats;
}

const KINDS = new Set<string>(['ws.in', 'rest', 'lifecycle']);

/**
 * Opens a new session recording. `append` only pushes to arrays; frames are committed many rows per
 * transaction, on a timer and whenever `batchRows` are pending. Durability: WAL with
 * synchronous=NORMAL, so a process crash (SIGKILL) loses nothing committed; a power cut may lose the
 * last commits. Acceptable for a recording, and a large saving on the hot path.
 */
export function openRecordingWriter(options: RecordingWriterOptions): RecordingWriter {
  const log = options.log ?? silentRecordingLogger;
  const clock = options.clock;
  const batchRows = Math.max(1, options.batchRows ?? 4096);
  const maxPendingRows = Math.max(2 * batchRows, options.maxPendingRows ?? 200_000);
  const secrets = options.secrets ?? [];

  mkdirSync(options.dir, { recursive: true });
  const file = join(options.dir, recordingFileName(options.sessionId, options.startMs));
  if (existsSync(file)) throw new KrxError('E_RECORDING_WRITE', 'recording file already exists', { details: { file } });
  const db = new Database(file, { timeout: options.busyTimeoutMs ?? 1000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(RECORDING_SCHEMA);
  } catch (err) {
    db.close();
    throw new KrxError('E_RECORDING_WRITE', `cannot create recording: ${errorMessage(err)}`, { cause: err, details: { file } });
  }
  const insertFrame = db.prepare('INSERT INTO frames (seq, ts_us, kind, data) VALUES (?, ?, ?, ?)');
  const setMeta = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
  const writeMeta = db.transaction((entries: Record<string, string>) => {
    for (const [k, v] of Object.entries(entries)) setMeta.run(k, v);
  });
  writeMeta({
    format_version: String(RECORDING_FORMAT_VERSION),
    session_id: options.sessionId,
    start: String(options.startMs),
    start_kst: formatKstDashed(options.startMs),
    app_version: options.appVersion,
    config: safeConfig(options.config, secrets, log),
    seed: options.seed === undefined || options.seed === null ? '' : String(options.seed),
  });

  // Parallel arrays: no object per frame on the hot path.
  let seqs: number[] = [];
  let tss: number[] = [];
  let kinds: string[] = [];
  let datas: string[] = [];
  let nextSeq = 1;
  let closed = false;
  // After a failed commit, only the timer retries: the hot path must not hit a failing disk per frame.
  let failing = false;
  const counts = { appended: 0, committed: 0, refused: 0, dropped: 0, writeErrors: 0 };

  const insertAll = db.transaction((n: number) => {
    for (let i = 0; i < n; i++) insertFrame.run(seqs[i], tss[i], kinds[i], datas[i]);
  });

  const flush = (): boolean => {
    const n = seqs.length;
    if (n === 0 || closed) return n === 0;
    try {
      insertAll(n);
    } catch (err) {
      counts.writeErrors++;
      failing = true;
      if (counts.writeErrors <= 10 || counts.writeErrors % 100 === 0) {
        log.error({ code: 'E_RECORDING_WRITE', sqlite: (err as { code?: unknown }).code, err: errorMessage(err), pending: n }, 'recording commit failed; frames kept pending');
      }
      return false;
    }
    if (failing) {
      failing = false;
      log.warn({ code: 'E_RECORDING_WRITE', committed: n, dropped: counts.dropped }, 'recording writing again');
    }
    counts.committed += n;
    seqs = [];
    tss = [];
    kinds = [];
    datas = [];
    return true;
  };

  const drop = (k: number): void => {
    seqs = seqs.slice(k);
    tss = tss.slice(k);
    kinds = kinds.slice(k);
    datas = datas.slice(k);
    counts.dropped += k;
  };

  const refuse = (reason: string): void => {
    counts.refused++;
    if (counts.refused <= 10 || counts.refused % 1000 === 0) {
      log.warn({ code: 'E_RECORDING_SECRET', reason, refused: counts.refused }, 'frame refused by the recording guard');
    }
  };

  const append = (kind: RecordingKind, data: string, tsUs: number): void => {
    if (closed) {
      counts.dropped++;
      return;
    }
    if (typeof data !== 'string' || !KINDS.has(kind) || !Number.isSafeInteger(tsUs)) {
      refuse('malformed frame (kind, data or tsUs)');
      return;
    }
    const reason = recordingRefusal(data, secrets);
    if (reason !== null) {
      refuse(reason);
      return;
    }
    seqs.push(nextSeq++);
    tss.push(tsUs);
    kinds.push(kind);
    datas.push(data);
    counts.appended++;
    if (seqs.length < batchRows) return;
    if (!failing) flush();
    // Dropped a batch at a time (amortised); the seq gaps mark the loss for a replay.
    else if (seqs.length > maxPendingRows) drop(seqs.length - maxPendingRows + batchRows);
  };

  const timer: TimerHandle = clock.setInterval(() => flush(), options.flushIntervalMs ?? 250);

  const close = (endMs?: number): void => {
    if (closed) return;
    clock.clearInterval(timer);
    flush();
    closed = true;
    if (seqs.length > 0) counts.dropped += seqs.length;
    try {
      writeMeta({
        end: String(endMs ?? clock.now()),
        frames_committed: String(counts.committed),
        frames_dropped: String(counts.dropped),
        frames_refused: String(counts.refused),
      });
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.pragma('journal_mode = DELETE');
    } catch (err) {
      log.error({ code: 'E_RECORDING_WRITE', err: errorMessage(err) }, 'recording end could not be written');
    }
    db.close();
  };

  return {
    file,
    append,
    flush,
    close,
    stats: () => ({ ...counts, pending: seqs.length }),
  };
}

/** The config summary as JSON, or null (logged) when it looks like it holds a secret. */
function safeConfig(config: unknown, secrets: readonly string[], log: RecordingLogger): string {
  const text = JSON.stringify(config ?? null) ?? 'null';
  const reason = recordingRefusal(text, secrets);
  if (reason === null) return text;
  log.warn({ code: 'E_RECORDING_SECRET', reason }, 'config summary refused by the recording guard; recorded as null');
  return 'null';
}
