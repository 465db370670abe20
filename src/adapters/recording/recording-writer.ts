import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorMessage, KrxError } from '../../core/errors.js';
import { formatKstDashed } from '../../core/kst.js';
import type { FrameRecorder, RecordingKind } from '../../core/recording.js';
import { kindCode, packChunk } from './recording-chunk.js';
import { RECORDING_FORMAT_VERSION, RECORDING_SCHEMA, recordingFileName } from './recording-file.js';
import { isRealFrame, recordingRefusal } from './recording-guard.js';
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
  /** Most frames stored in one row (format 2 chunks). */
  readonly chunkFrames?: number;
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
  /**
   * Records a frame as the exact bytes received (the live socket's path: no UTF-8 decoding on the
   * hot path, and bytes that are not UTF-8 survive; the reader returns those as `bytes`). The
   * recorder keeps a reference until the next commit: do not modify the buffer meanwhile.
   */
  appendBytes(kind: RecordingKind, data: Uint8Array, tsUs: number): void;
  /** Commits pending frames now; true when nothing is left pending. */
  flush(): boolean;
  /** Commits, writes the end meta, folds the WAL back into a single file and closes. Idempotent. */
  close(endMs?: number): void;
  stats(): RecordingWriterStats;
}

const KINDS = new Set<string>(['ws.in', 'rest', 'lifecycle']);

/**
 * Opens a new session recording. `append` only pushes to arrays; frames are committed many per
 * transaction, on a timer and whenever `batchRows` are pending, up to `chunkFrames` per row (one
 * insert per row costs more than the frame's bytes: format 2, recording-chunk.ts). Durability: WAL with
 * synchronous=NORMAL, so a process crash (SIGKILL) loses nothing committed; a power cut may lose the
 * last commits. Acceptable for a recording, and a large saving on the hot path.
 */
export function openRecordingWriter(options: RecordingWriterOptions): RecordingWriter {
  const log = options.log ?? silentRecordingLogger;
  const clock = options.clock;
  const batchRows = Math.max(1, options.batchRows ?? 4096);
  const chunkFrames = Math.max(1, options.chunkFrames ?? 512);
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
  const insertChunk = db.prepare('INSERT INTO chunks (first_seq, count, ts_us, kinds, lens, data) VALUES (?, ?, ?, ?, ?, ?)');
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
  // Pending frames have consecutive seqs from firstSeq (drops only ever cut the oldest).
  let firstSeq = 1;
  let tss: number[] = [];
  let kinds: number[] = [];
  let datas: (string | Uint8Array)[] = [];
  let closed = false;
  // After a failed commit, only the timer retries: the hot path must not hit a failing disk per frame.
  let failing = false;
  const counts = { appended: 0, committed: 0, refused: 0, dropped: 0, writeErrors: 0 };

  const insertAll = db.transaction((n: number) => {
    for (let from = 0; from < n; from += chunkFrames) {
      const c = packChunk(firstSeq + from, tss, kinds, datas, from, Math.min(n, from + chunkFrames));
      insertChunk.run(c.firstSeq, c.count, c.ts, c.kinds, c.lens, c.data);
    }
  });

  const flush = (): boolean => {
    const n = tss.length;
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
    firstSeq += n;
    tss = [];
    kinds = [];
    datas = [];
    return true;
  };

  const drop = (k: number): void => {
    firstSeq += k;
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

  const accept = (kind: RecordingKind, data: string | Uint8Array, tsUs: number, bytes: boolean): void => {
    if (closed) {
      counts.dropped++;
      return;
    }
    if (!KINDS.has(kind) || !Number.isSafeInteger(tsUs)) {
      refuse('malformed frame (kind, data or tsUs)');
      return;
    }
    // Market pushes skip the scans (recording-guard.ts isRealFrame); everything else is checked as text.
    if (!(kind === 'ws.in' && isRealFrame(data))) {
      const text = typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
      const reason = recordingRefusal(text, secrets);
      if (reason !== null) {
        refuse(reason);
        return;
      }
    }
    tss.push(tsUs);
    kinds.push(kindCode(kind, bytes));
    datas.push(data);
    counts.appended++;
    if (tss.length < batchRows) return;
    if (!failing) flush();
    // Dropped a batch at a time (amortised); the seq gaps mark the loss for a replay.
    else if (tss.length > maxPendingRows) drop(tss.length - maxPendingRows + batchRows);
  };

  const append = (kind: RecordingKind, data: string, tsUs: number): void => {
    if (typeof data !== 'string' && !closed) refuse('malformed frame (kind, data or tsUs)');
    else accept(kind, data, tsUs, false);
  };

  const appendBytes = (kind: RecordingKind, data: Uint8Array, tsUs: number): void => {
    if (!(data instanceof Uint8Array) && !closed) refuse('malformed frame (kind, data or tsUs)');
    else accept(kind, data, tsUs, true);
  };

  const timer: TimerHandle = clock.setInterval(() => flush(), options.flushIntervalMs ?? 250);

  const close = (endMs?: number): void => {
    if (closed) return;
    clock.clearInterval(timer);
    flush();
    closed = true;
    if (tss.length > 0) counts.dropped += tss.length;
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
    appendBytes,
    flush,
    close,
    stats: () => ({ ...counts, pending: tss.length }),
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
