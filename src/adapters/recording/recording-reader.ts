import { inflateRaw, inflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { errorMessage, KrxError } from '../../core/errors.js';
import type { RecordedFrame, RecordingKind, RecordingMeta } from '../../core/recording.js';
import { textFrame, unpackRawChunk, type RawFrame } from './recording-chunk.js';
import { checkFrame, checkMeta, frameWindow, MAX_CHUNK_BYTES, MAX_CHUNK_FRAMES } from './recording-checks.js';

export interface FrameReadOptions {
  /** Start after this seq (exclusive); default from the beginning. */
  readonly afterSeq?: number;
  /** About this many frames fetched per query (whole stored chunks in format 2). */
  readonly chunkSize?: number;
  /**
   * rawBatches only: inflate the next chunks on libuv's thread pool while the caller works (default), or
   * each chunk on the caller's thread when it is reached (`false`: a sweep's workers already keep every
   * core busy, and pool threads would only compete with them).
   */
  readonly inflateAhead?: boolean;
}

export interface RecordingReader {
  readonly file: string;
  readonly meta: RecordingMeta;
  frameCount(): number;
  /** Frames in seq order, fetched about `chunkSize` frames at a time (never the whole file in memory). */
  frames(options?: FrameReadOptions): Generator<RecordedFrame, void, undefined>;
  /**
   * The same frames undecoded, one stored chunk per batch (replay's fast path): the frame bytes are
   * views, not strings, and the next chunks are inflated on libuv's thread pool while the caller works
   * on this one. Each frame's seq, kind and time are checked as `frames()` checks them.
   */
  rawBatches(options?: FrameReadOptions): AsyncGenerator<readonly RawFrame[], void, undefined>;
  /** The same batches, read and inflated on the caller's thread (a whole-file scan that needs no timers). */
  rawBatchesSync(options?: FrameReadOptions): Generator<readonly RawFrame[], void, undefined>;
  close(): void;
}

interface ChunkRow {
  first_seq: number;
  count: number;
  ts_us: Buffer;
  kinds: Buffer;
  lens: Buffer;
  data: Buffer;
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
  let frames: FrameSource;
  try {
    meta = readMeta(db);
    frames = meta.formatVersion >= 2 ? chunkedFrames(db, file, meta.formatVersion >= 3) : rowFrames(db);
  } catch (err) {
    db.close();
    if (err instanceof KrxError) throw err;
    throw new KrxError('E_RECORDING_READ', `not a recording: ${errorMessage(err)}`, { cause: err, details: { file } });
  }
  const window = frameWindow(meta);
  function* checked(options?: FrameReadOptions): Generator<RecordedFrame, void, undefined> {
    for (const frame of frames.read(options)) yield checkFrame(frame, window, file);
  }
  async function* checkedBatches(options?: FrameReadOptions): AsyncGenerator<readonly RawFrame[], void, undefined> {
    const batches = options?.inflateAhead === false ? frames.batchesSync(options) : frames.batches(options);
    for await (const batch of batches) {
      for (const frame of batch) checkFrame(frame, window, file);
      yield batch;
    }
  }
  function* checkedBatchesSync(options?: FrameReadOptions): Generator<readonly RawFrame[], void, undefined> {
    for (const batch of frames.batchesSync(options)) {
      for (const frame of batch) checkFrame(frame, window, file);
      yield batch;
    }
  }
  return { file, meta, frameCount: frames.count, frames: checked, rawBatches: checkedBatches, rawBatchesSync: checkedBatchesSync, close: () => db.close() };
}

interface FrameSource {
  count(): number;
  read(options?: FrameReadOptions): Generator<RecordedFrame, void, undefined>;
  batches(options?: FrameReadOptions): AsyncGenerator<readonly RawFrame[], void, undefined>;
  batchesSync(options?: FrameReadOptions): Generator<readonly RawFrame[], void, undefined>;
}

/** Chunks inflated ahead of the one being replayed: enough to keep the thread pool busy, bounded in memory. */
const INFLATE_AHEAD = 4;

const corrupt = (err: unknown, file: string): KrxError =>
  err instanceof KrxError ? err : new KrxError('E_RECORDING_READ', `corrupt recording: ${errorMessage(err)}`, { cause: err, details: { file } });

/**
 * Inflates into one output buffer of the chunk's known size (the sum of its frame lengths): zlib's
 * default 16 KiB steps would cost a copy per step (and on the thread pool a main-thread callback).
 */
const inflateOptions = (size: number): { maxOutputLength: number; chunkSize: number } => ({
  maxOutputLength: MAX_CHUNK_BYTES,
  chunkSize: Math.min(MAX_CHUNK_BYTES, Math.max(64 * 1024, size + 64)),
});

const inflated = (data: Buffer, size: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    inflateRaw(data, inflateOptions(size), (err, out) => (err ? reject(err) : resolve(out)));
  });

/** The frame bytes a chunk row declares (its lens, uint32 LE each); the unpacker checks them again. */
function declaredBytes(lens: Buffer): number {
  let n = 0;
  for (let i = 0; i + 4 <= lens.length; i += 4) n += lens.readUInt32LE(i);
  return n;
}

/** Format 2: frames packed in chunk rows (recording-chunk.ts). */
function chunkedFrames(db: Database.Database, file: string, deflated: boolean): FrameSource {
  const page = db.prepare('SELECT first_seq, count, ts_us, kinds, lens, data FROM chunks WHERE first_seq > ? ORDER BY first_seq LIMIT ?');
  // The chunk holding seq `after + 1` starts at or before it.
  const startOf = db.prepare('SELECT coalesce(max(first_seq), 1) FROM chunks WHERE first_seq <= ?').pluck();
  const checkRow = (r: ChunkRow): void => {
    if (!(r.count >= 1 && r.count <= MAX_CHUNK_FRAMES) || !Buffer.isBuffer(r.data) || r.data.length > MAX_CHUNK_BYTES) {
      throw new KrxError('E_RECORDING_READ', `corrupt recording: chunk ${r.first_seq} has an impossible frame count or size`, { details: { file } });
    }
  };
  /** The stored rows from the one holding seq `after + 1` on, each checked, a page of queries at a time. */
  function* storedRows(after: number): Generator<ChunkRow, void, undefined> {
    const rowsPerQuery = INFLATE_AHEAD * 2;
    let cursor = (startOf.get(after + 1) as number) - 1;
    for (;;) {
      const rows = page.all(cursor, rowsPerQuery) as ChunkRow[];
      for (const row of rows) {
        checkRow(row);
        yield row;
      }
      const last = rows.at(-1);
      if (rows.length < rowsPerQuery || last === undefined) return;
      cursor = last.first_seq;
    }
  }
  /** The stored rows in order, each with its data being inflated (started INFLATE_AHEAD rows ahead). */
  function* pending(after: number): Generator<{ row: ChunkRow; data: Promise<Buffer> }, void, undefined> {
    for (const row of storedRows(after)) {
      const data = deflated ? inflated(row.data, declaredBytes(row.lens)) : Promise.resolve(row.data);
      // Awaited in turn; a consumer that stops early must not leave a rejection unhandled.
      data.catch(() => undefined);
      yield { row, data };
    }
  }
  /** Every chunk read and inflated on the caller's thread, as raw frames. */
  function* batchesSync(options: FrameReadOptions = {}): Generator<readonly RawFrame[], void, undefined> {
    const after = options.afterSeq ?? 0;
    for (const row of storedRows(after)) {
      let batch: RawFrame[];
      try {
        // Bounded as the async path: a crafted chunk cannot expand past MAX_CHUNK_BYTES.
        const data = deflated ? inflateRawSync(row.data, inflateOptions(declaredBytes(row.lens))) : row.data;
        batch = unpackRawChunk(row.first_seq, row.count, row.ts_us, row.kinds, row.lens, data, after);
      } catch (err) {
        throw corrupt(err, file);
      }
      yield batch;
    }
  }
  return {
    async *batches(options: FrameReadOptions = {}) {
      const after = options.afterSeq ?? 0;
      const source = pending(after);
      const ahead: { row: ChunkRow; data: Promise<Buffer> }[] = [];
      const fill = (): void => {
        while (ahead.length < INFLATE_AHEAD) {
          const next = source.next();
          if (next.done === true) return;
          ahead.push(next.value);
        }
      };
      try {
        fill();
        for (let head = ahead.shift(); head !== undefined; head = ahead.shift()) {
          const { row } = head;
          const data = await head.data;
          fill();
          yield unpackRawChunk(row.first_seq, row.count, row.ts_us, row.kinds, row.lens, data, after);
        }
      } catch (err) {
        throw corrupt(err, file);
      }
    },
    batchesSync,
    count: () => db.prepare('SELECT coalesce(sum(count), 0) FROM chunks').pluck().get() as number,
    // The text path: the same chunks as the raw one, each frame decoded.
    *read(options: FrameReadOptions = {}) {
      for (const batch of batchesSync(options)) for (const frame of batch) yield textFrame(frame);
    },
  };
}

/** Format 1: one row per frame. */
function rowFrames(db: Database.Database): FrameSource {
  const chunk = db.prepare('SELECT seq, ts_us, kind, data FROM frames WHERE seq > ? ORDER BY seq LIMIT ?');
  const source: FrameSource = {
    count: () => db.prepare('SELECT count(*) FROM frames').pluck().get() as number,
    async *batches(options: FrameReadOptions = {}) {
      yield* source.batchesSync(options);
    },
    // Old files are small and rare: their text, encoded, in batches of the query's size.
    *batchesSync(options: FrameReadOptions = {}) {
      let batch: RawFrame[] = [];
      for (const f of source.read(options)) {
        batch.push({ seq: f.seq, tsUs: f.tsUs, kind: f.kind, bytes: Buffer.from(f.data, 'utf8') });
        if (batch.length === 512) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    },
    *read(options: FrameReadOptions = {}) {
      const size = Math.max(1, options.chunkSize ?? 2000);
      let after = options.afterSeq ?? 0;
      for (;;) {
        const rows = chunk.all(after, size) as FrameRow[];
        for (const r of rows) {
          if (typeof r.data !== 'string') throw new KrxError('E_RECORDING_READ', `corrupt recording: frame ${r.seq} is not text`);
          yield { seq: r.seq, tsUs: r.ts_us, kind: r.kind as RecordingKind, data: r.data };
        }
        const last = rows.at(-1);
        if (rows.length < size || last === undefined) return;
        after = last.seq;
      }
    },
  };
  return source;
}

function readMeta(db: Database.Database): RecordingMeta {
  const rows = db.prepare('SELECT key, value FROM meta').all() as { key: unknown; value: unknown }[];
  return checkMeta(new Map(rows.filter((r) => typeof r.key === 'string' && typeof r.value === 'string').map((r) => [r.key as string, r.value as string])));
}
