import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorMessage, KrxError } from '../../core/errors.js';
import { formatKstDashed } from '../../core/kst.js';
import type { FrameRecorder, RecordingKind } from '../../core/recording.js';
import { createChunkQueue, kindCode } from './recording-chunk.js';
import { RECORDING_FORMAT_VERSION, RECORDING_SCHEMA, recordingFileName, SET_META_SQL } from './recording-file.js';
import { isRealFrame, recordingRefusal } from './recording-guard.js';
import { silentWarnLog, type WarnLog } from '../../core/logger.js';
import { startRecordingWorker } from './recording-worker.js';

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
  /** Drives the periodic hand-over to the writing thread; close() stamps the end from it. */
  readonly clock: Clock;
  readonly log?: WarnLog;
  /** Hand frames to the writing thread as soon as this many are buffered. */
  readonly batchRows?: number;
  /** Most frames stored in one row (format 2 chunks). */
  readonly chunkFrames?: number;
  /** Hand over (and commit) whatever is buffered at this period. */
  readonly flushIntervalMs?: number;
  /** Most frames held (buffered plus not yet committed); beyond it the oldest buffered are dropped. */
  readonly maxPendingRows?: number;
  /** Most frame BYTES held (buffered plus not yet committed): large frames cannot exhaust memory. */
  readonly maxPendingBytes?: number;
  /** Compressed bytes this session's file may reach; later frames are dropped (counted, logged once). */
  readonly maxSessionBytes?: number;
  /** Exact secret values the guard also scans for (app keys, tokens); a function for values learned later (issued tokens). */
  readonly secrets?: readonly string[] | (() => readonly string[]);
  /** SQLite busy timeout; the recording is ours alone, so waiting is rarely needed. */
  readonly busyTimeoutMs?: number;
  /** Longest flush() or close() blocks waiting for the writing thread (a hung disk). */
  readonly syncTimeoutMs?: number;
}

export interface RecordingWriterStats {
  readonly appended: number;
  readonly committed: number;
  /** Appended, neither committed nor dropped yet (buffered here or held by the writing thread). */
  readonly pending: number;
  /** Refused by the secret guard or malformed. */
  readonly refused: number;
  /** Lost to write failures, a crash of the writing thread or appended after close (seq gaps). */
  readonly dropped: number;
  /** Failed commits, plus 1 if the writing thread crashed. */
  readonly writeErrors: number;
  /** Frame bytes held (buffered plus not yet committed). */
  readonly pendingBytes: number;
  /** Compressed bytes written to the file. */
  readonly storedBytes: number;
  /** Dropping the oldest frames now: the buffer is at its bound (the disk is slow or full). */
  readonly shedding: boolean;
  /** The file reached maxSessionBytes: nothing more is recorded this session. */
  readonly capped: boolean;
}

export interface RecordingWriter extends FrameRecorder {
  readonly file: string;
  /**
   * Records a frame as the exact bytes received (the live socket's path: no UTF-8 decoding on the
   * hot path, and bytes that are not UTF-8 survive; the reader returns those as `bytes`). The
   * recorder copies the bytes at once (the caller may reuse the buffer).
   */
  appendBytes(kind: RecordingKind, data: Uint8Array, tsUs: number): void;
  /**
   * Hands everything buffered to the writing thread and BLOCKS (Atomics.wait, at most
   * `syncTimeoutMs`) until it has tried to commit it; true when nothing is left pending. For
   * shutdown, tests and benchmarks: never call it on the hot path.
   */
  flush(): boolean;
  /**
   * Commits, writes the end meta, folds the WAL back into a single file and closes; blocks until
   * done (at most `syncTimeoutMs`), so the file is complete when it returns. Idempotent.
   */
  close(endMs?: number): void;
  /** Resolves once the writing thread has handled everything handed over so far (does not hand over). */
  idle(): Promise<void>;
  /**
   * The file may not grow past its current size (SQLite max_page_count on the writing connection),
   * so commits fail with SQLITE_FULL as on a full disk; false lifts it. For full-disk tests.
   */
  limitGrowth(limited: boolean): void;
  stats(): RecordingWriterStats;
}

const KINDS = new Set<string>(['ws.in', 'rest', 'lifecycle']);
const PAGE_SIZE = 65_536;

/**
 * Opens a new session recording. The main thread only checks frames and copies them into chunks of
 * up to `chunkFrames` frames per row (format 2, recording-chunk.ts);
 * a worker thread commits them (recording-worker.ts), so commits and WAL checkpoints never stall the
 * event loop. Hand-overs happen when `batchRows` are buffered and on the timer. Durability: WAL with
 * synchronous=NORMAL, so a process crash (SIGKILL) loses nothing committed; a power cut may lose the
 * last commits. The file, its schema and the start meta are written here, synchronously: a
 * recording that cannot be created throws E_RECORDING_WRITE at once.
 */
export function openRecordingWriter(options: RecordingWriterOptions): RecordingWriter {
  const log = options.log ?? silentWarnLog;
  const clock = options.clock;
  const batchRows = Math.max(1, options.batchRows ?? 4096);
  const chunkFrames = Math.max(1, options.chunkFrames ?? 512);
  const maxPendingRows = Math.max(2 * batchRows, options.maxPendingRows ?? 200_000);
  const maxPendingBytes = Math.max(1 << 20, options.maxPendingBytes ?? 64 * 1024 * 1024);
  /** Hand over at this many buffered bytes too (large frames), well under the bound. */
  const batchBytes = Math.max(64 * 1024, Math.floor(maxPendingBytes / 8));
  const maxSessionBytes = options.maxSessionBytes ?? Number.POSITIVE_INFINITY;
  const syncTimeoutMs = Math.max(1, options.syncTimeoutMs ?? 10_000);
  const busyTimeoutMs = options.busyTimeoutMs ?? 1000;
  const given = options.secrets ?? [];
  const secrets = typeof given === 'function' ? given : () => given;

  // The recording holds the session's market data: owner-only, whatever the process umask.
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const file = join(options.dir, recordingFileName(options.sessionId, options.startMs));
  if (existsSync(file)) throw new KrxError('E_RECORDING_WRITE', 'recording file already exists', { details: { file } });
  createRecordingFile(file, busyTimeoutMs, {
    format_version: String(RECORDING_FORMAT_VERSION),
    session_id: options.sessionId,
    start: String(options.startMs),
    start_kst: formatKstDashed(options.startMs),
    app_version: options.appVersion,
    config: safeConfig(options.config, secrets(), log),
    seed: options.seed === undefined || options.seed === null ? '' : String(options.seed),
  });

  // Frames are copied into chunk buffers as they arrive; drops only ever cut the oldest queued chunks.
  const queue = createChunkQueue(chunkFrames);
  let closed = false;
  /** Frames handed to the worker; with its counters this gives what it still holds. */
  let posted = 0;
  /** Frames the worker held when it died or timed out (counted as dropped once). */
  let lost = 0;
  let gone = false;
  let postedBytes = 0;
  let shedding = false;
  let shedSince = 0;
  let capped = false;
  const counts = { appended: 0, refused: 0, dropped: 0, crashes: 0 };

  const worker = startRecordingWorker(file, busyTimeoutMs, (e) => {
    if (e.t === 'failed') {
      if (e.errors <= 10 || e.errors % 100 === 0) {
        log.error({ code: 'E_RECORDING_WRITE', sqlite: e.sqlite, err: e.err, pending: pending() }, 'recording commit failed; frames kept pending');
      }
    } else if (e.t === 'recovered') {
      log.warn({ code: 'E_RECORDING_WRITE', committed: e.committed, dropped: dropped() }, 'recording writing again');
    } else if (e.t === 'free') {
      queue.recycle(e.buffers);
    } else if (e.t === 'endFailed') {
      log.error({ code: 'E_RECORDING_WRITE', err: e.err }, 'recording end could not be written');
    } else {
      counts.crashes++;
      stopRecording();
      log.error({ code: 'E_RECORDING_WRITE', err: e.err, dropped: dropped() }, 'recording thread crashed; recording stopped');
    }
  });

  const held = (): number => (gone ? 0 : posted - worker.committed() - worker.dropped());
  const pending = (): number => queue.frames + held();
  const dropped = (): number => counts.dropped + lost + worker.dropped();

  /** The writing thread is gone: what it and this side held is lost; later appends are dropped. */
  const stopRecording = (): void => {
    if (gone) return;
    lost = held();
    gone = true;
    counts.dropped += queue.dropOldest(queue.frames);
  };

  const handOver = (): void => {
    const n = queue.frames;
    if (n === 0) return;
    postedBytes += queue.bytes;
    worker.commit(queue.take());
    posted += n;
  };

  const heldBytes = (): number => (gone ? 0 : postedBytes - worker.committedBytes());
  const overBound = (): boolean => queue.frames > maxPendingRows - held() || queue.bytes > maxPendingBytes - heldBytes();

  /** Drops whole chunks, oldest first, until under both bounds (frames and bytes); logs the episode. */
  const shed = (): void => {
    let gone = 0;
    // A batch at a time (amortised); the seq gaps mark the loss for a replay.
    while (overBound() && queue.frames > 0) gone += queue.dropOldest(Math.min(queue.frames, batchRows));
    if (gone === 0) return;
    counts.dropped += gone;
    shedSince += gone;
    if (!shedding) {
      shedding = true;
      log.warn({ code: 'E_RECORDING_SHED', dropped: dropped(), pendingBytes: queue.bytes + heldBytes(), maxPendingBytes }, 'recording buffer full (disk slow or full): dropping the oldest frames');
    }
  };

  /** When full: hand over, unless failing (only the timer retries) or over a bound (drop the oldest). */
  const onFull = (): void => {
    if (overBound()) shed();
    else if (!worker.failing()) handOver();
  };

  const checkCap = (): void => {
    if (capped || worker.storedBytes() < maxSessionBytes) return;
    capped = true;
    log.warn({ code: 'E_RECORDING_CAP', storedBytes: worker.storedBytes(), maxSessionBytes }, 'recording reached recording.maxSessionBytes: the rest of the session is not recorded');
  };

  const onTimer = (): void => {
    if (gone) return;
    checkCap();
    if (overBound()) onFull();
    if (shedding && !worker.failing() && !overBound()) {
      shedding = false;
      log.warn({ code: 'E_RECORDING_SHED', droppedThisEpisode: shedSince, dropped: dropped() }, 'recording writing again after dropping frames');
      shedSince = 0;
    }
    if (queue.frames > 0) handOver();
    else if (worker.failing()) worker.commit([]); // retry what the worker holds
  };

  const refuse = (reason: string): void => {
    counts.refused++;
    if (counts.refused <= 10 || counts.refused % 1000 === 0) {
      log.warn({ code: 'E_RECORDING_SECRET', reason, refused: counts.refused }, 'frame refused by the recording guard');
    }
  };

  const accept = (kind: RecordingKind, data: string | Uint8Array, tsUs: number, bytes: boolean): void => {
    if (closed || gone || capped) {
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
      const reason = recordingRefusal(text, secrets());
      if (reason !== null) {
        refuse(reason);
        return;
      }
    }
    queue.add(tsUs, kindCode(kind, bytes), data);
    counts.appended++;
    // The bound is checked per frame (two shared-memory reads): large frames cannot overshoot it.
    if (queue.frames >= batchRows || queue.bytes >= batchBytes || overBound()) onFull();
  };

  const append = (kind: RecordingKind, data: string, tsUs: number): void => {
    if (typeof data !== 'string' && !closed) refuse('malformed frame (kind, data or tsUs)');
    else accept(kind, data, tsUs, false);
  };

  const appendBytes = (kind: RecordingKind, data: Uint8Array, tsUs: number): void => {
    if (!(data instanceof Uint8Array) && !closed) refuse('malformed frame (kind, data or tsUs)');
    else accept(kind, data, tsUs, true);
  };

  const timer: TimerHandle = clock.setInterval(onTimer, options.flushIntervalMs ?? 250);

  const flush = (): boolean => {
    if (closed || gone) return pending() === 0;
    handOver();
    if (!worker.sync(syncTimeoutMs) && !worker.dead()) log.error({ code: 'E_RECORDING_WRITE', pending: pending(), timeoutMs: syncTimeoutMs }, 'recording flush timed out');
    return pending() === 0;
  };

  const close = (endMs?: number): void => {
    if (closed) return;
    clock.clearInterval(timer);
    closed = true;
    if (gone) return;
    handOver();
    const meta = { end: String(endMs ?? clock.now()), frames_refused: String(counts.refused) };
    if (worker.close(meta, counts.dropped, syncTimeoutMs)) return;
    if (gone) return;
    // Timed out: the file reads like a crashed recording, up to its last commit.
    worker.terminate();
    stopRecording();
    log.error({ code: 'E_RECORDING_WRITE', timeoutMs: syncTimeoutMs, dropped: dropped() }, 'recording close timed out; end not written');
  };

  return {
    file,
    append,
    appendBytes,
    flush,
    close,
    idle: () => worker.idle(),
    limitGrowth: (limited) => worker.limitGrowth(limited),
    stats: () => ({
      appended: counts.appended,
      committed: worker.committed(),
      pending: pending(),
      refused: counts.refused,
      dropped: dropped(),
      writeErrors: worker.writeErrors() + counts.crashes,
      pendingBytes: queue.bytes + heldBytes(),
      storedBytes: worker.storedBytes(),
      shedding,
      capped,
    }),
  };
}

/** Creates the file in WAL mode with its schema and start meta, synchronously; the worker appends. */
function createRecordingFile(file: string, busyTimeoutMs: number, meta: Readonly<Record<string, string>>): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (err) {
    throw new KrxError('E_RECORDING_WRITE', `cannot create recording: ${errorMessage(err)}`, { cause: err, details: { file } });
  }
  const db = new Database(file, { timeout: busyTimeoutMs });
  try {
    // Big pages: chunk rows are large blobs; 64 KiB pages halve the writing thread's CPU per frame.
    db.pragma(`page_size = ${PAGE_SIZE}`);
    db.pragma('journal_mode = WAL');
    db.exec(RECORDING_SCHEMA);
    const setMeta = db.prepare(SET_META_SQL);
    db.transaction(() => {
      for (const [k, v] of Object.entries(meta)) setMeta.run(k, v);
    })();
  } catch (err) {
    throw new KrxError('E_RECORDING_WRITE', `cannot create recording: ${errorMessage(err)}`, { cause: err, details: { file } });
  } finally {
    db.close();
  }
}

/** The config summary as JSON, or null (logged) when it looks like it holds a secret. */
function safeConfig(config: unknown, secrets: readonly string[], log: WarnLog): string {
  const text = JSON.stringify(config ?? null) ?? 'null';
  const reason = recordingRefusal(text, secrets);
  if (reason === null) return text;
  log.warn({ code: 'E_RECORDING_SECRET', reason }, 'config summary refused by the recording guard; recorded as null');
  return 'null';
}
