import type { MessagePort } from 'node:worker_threads';

/**
 * The recording worker thread's code, as a string for `new Worker(source, { eval: true })`: it loads
 * the same way under vitest (TypeScript sources), from dist/ and from a transpiled child, with no
 * worker file to locate. It only commits chunks the main thread packed (recording-chunk.ts), retries
 * them, writes the end meta and folds the WAL; the main thread keeps the buffering, the guard, the
 * drop policy and all logging. Plain CommonJS: it is not type-checked, so keep it small.
 */

/** Int32 slots of the shared control block (Atomics.wait/notify on ACK). */
export const CTL_ACK = 0;
export const CTL_FAILING = 1;
export const CTL_DEAD = 2;
export const CTL_SLOTS = 4;
/** BigInt64 counters the worker writes and the main thread reads (a session can pass 2^31 frames). */
export const COUNT_COMMITTED = 0;
export const COUNT_DROPPED = 1;
export const COUNT_WRITE_ERRORS = 2;
/** Frame bytes committed (before compression): with the posted bytes, what the worker still holds. */
export const COUNT_COMMITTED_BYTES = 3;
/** Compressed bytes stored: the session's share of the disk cap. */
export const COUNT_STORED_BYTES = 4;
export const COUNT_SLOTS = 5;

/** One chunk as posted to the worker; its buffers are transferred, not copied. */
export interface ChunkMessage {
  readonly firstSeq: number;
  readonly count: number;
  readonly ts: Uint8Array;
  readonly kinds: Uint8Array;
  readonly lens: Uint8Array;
  readonly data: Uint8Array;
}

/** Main thread -> worker. `commit` with no chunks is a retry of what the worker holds. */
export type ToWorker =
  | { readonly t: 'commit'; readonly chunks: readonly ChunkMessage[] }
  | { readonly t: 'sync'; readonly id: number }
  /** The file may not grow past its current pages (null: lifted); see RecordingWriter.limitGrowth. */
  | { readonly t: 'limitGrowth'; readonly limited: boolean }
  | { readonly t: 'close'; readonly id: number; readonly meta: Readonly<Record<string, string>>; readonly droppedBefore: number };

/** Worker -> main thread, on the events port. */
export type FromWorker =
  | { readonly t: 'failed'; readonly errors: number; readonly sqlite: unknown; readonly err: string }
  | { readonly t: 'recovered'; readonly committed: number }
  | { readonly t: 'endFailed'; readonly err: string }
  | { readonly t: 'fatal'; readonly err: string }
  | { readonly t: 'synced'; readonly id: number }
  /** Committed chunks' data memory, handed back for reuse (transferred): it would otherwise pile up here. */
  | { readonly t: 'free'; readonly buffers: readonly ArrayBuffer[] };

export interface WorkerData {
  readonly sqlitePath: string;
  readonly file: string;
  readonly busyTimeoutMs: number;
  readonly insertSql: string;
  readonly metaSql: string;
  readonly shared: SharedArrayBuffer;
  readonly events: MessagePort;
}

export const RECORDING_WORKER_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { deflateRawSync, constants: zlibConstants } = require('node:zlib');
const { sqlitePath, file, busyTimeoutMs, insertSql, metaSql, shared, events } = workerData;
const ctl = new Int32Array(shared, 0, ${CTL_SLOTS});
const counts = new BigInt64Array(shared, ${CTL_SLOTS * 4}, ${COUNT_SLOTS});
const queue = [];
let held = 0;
let stored = 0;
let db = null;

const buf = (u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
const ack = (id) => {
  Atomics.store(ctl, ${CTL_ACK}, id);
  Atomics.notify(ctl, ${CTL_ACK});
};
const stop = () => {
  parentPort.close();
  events.close();
};
// The message first: whoever sees DEAD can then drain it synchronously.
const fatal = (err) => {
  events.postMessage({ t: 'fatal', err: String((err && err.message) || err) });
  Atomics.store(ctl, ${CTL_DEAD}, 1);
  Atomics.notify(ctl, ${CTL_ACK});
  try { if (db) db.close(); } catch {}
  stop();
};

// Format 3: each chunk's frame bytes deflated (level 1: about 4x on market frames), here, off the
// main thread; once per chunk, kept for retries.
const packed = (c) => (c.z === undefined ? (c.z = deflateRawSync(buf(c.data), { level: 1, strategy: zlibConstants.Z_DEFAULT_STRATEGY })) : c.z);

// Commits everything held in one transaction; on failure keeps it for the next commit message.
const commitHeld = () => {
  if (queue.length === 0) return;
  try {
    db.transaction(() => {
      for (const c of queue) insert.run(c.firstSeq, c.count, buf(c.ts), buf(c.kinds), buf(c.lens), packed(c));
    })();
  } catch (err) {
    const errors = Number(Atomics.add(counts, ${COUNT_WRITE_ERRORS}, 1n)) + 1;
    Atomics.store(ctl, ${CTL_FAILING}, 1);
    events.postMessage({ t: 'failed', errors, sqlite: err && err.code, err: String((err && err.message) || err) });
    return;
  }
  Atomics.add(counts, ${COUNT_COMMITTED}, BigInt(held));
  let bytes = 0;
  for (const c of queue) bytes += c.data.byteLength;
  Atomics.add(counts, ${COUNT_COMMITTED_BYTES}, BigInt(bytes));
  for (const c of queue) stored += c.z.length;
  Atomics.store(counts, ${COUNT_STORED_BYTES}, BigInt(stored));
  // Hand the data memory back: this thread allocates almost nothing, so its GC would free it late.
  const buffers = [];
  for (const c of queue) if (c.data.byteOffset === 0 && c.data.byteLength > 0 && !buffers.includes(c.data.buffer)) buffers.push(c.data.buffer);
  if (buffers.length > 0) events.postMessage({ t: 'free', buffers }, buffers);
  if (Atomics.load(ctl, ${CTL_FAILING}) === 1) {
    Atomics.store(ctl, ${CTL_FAILING}, 0);
    events.postMessage({ t: 'recovered', committed: held });
  }
  queue.length = 0;
  held = 0;
};

const close = (m) => {
  commitHeld();
  const lost = held;
  let lostBytes = 0;
  for (const c of queue) lostBytes += c.data.byteLength;
  Atomics.add(counts, ${COUNT_COMMITTED_BYTES}, BigInt(lostBytes)); // no longer held
  queue.length = 0;
  held = 0;
  Atomics.add(counts, ${COUNT_DROPPED}, BigInt(lost));
  try {
    const meta = Object.assign({}, m.meta, {
      frames_committed: String(counts[${COUNT_COMMITTED}]),
      frames_dropped: String(m.droppedBefore + Number(counts[${COUNT_DROPPED}])),
    });
    db.transaction(() => { for (const k of Object.keys(meta)) setMeta.run(k, meta[k]); })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = DELETE');
  } catch (err) {
    events.postMessage({ t: 'endFailed', err: String((err && err.message) || err) });
  }
  try { db.close(); } catch {}
  ack(m.id);
  stop();
};

let insert;
let setMeta;
try {
  db = new (require(sqlitePath))(file, { timeout: busyTimeoutMs, fileMustExist: true });
  db.pragma('synchronous = NORMAL');
  // A small page cache: this connection only appends (the root, the last leaf, fresh overflow pages), and
  // the default 2 MB of 64 KiB pages kept the process's native memory growing for the whole session
  // (RSS outside both V8 heaps: +1.3 MB per 4,000 hand-overs with it, flat with 16 pages).
  db.pragma('cache_size = 16');
  // Checkpoint at about 4 MiB of WAL (the file has 64 KiB pages; the default 1000 pages is 64 MiB).
  db.pragma('wal_autocheckpoint = 64');
  insert = db.prepare(insertSql);
  setMeta = db.prepare(metaSql);
} catch (err) {
  fatal(err);
}

parentPort.on('message', (m) => {
  if (Atomics.load(ctl, ${CTL_DEAD}) === 1) return;
  try {
    if (m.t === 'commit') {
      for (const c of m.chunks) {
        queue.push(c);
        held += c.count;
      }
      commitHeld();
    } else if (m.t === 'sync') {
      ack(m.id);
      events.postMessage({ t: 'synced', id: m.id });
    } else if (m.t === 'limitGrowth') {
      db.pragma('max_page_count = ' + (m.limited ? 1 : 1073741823));
    } else if (m.t === 'close') {
      close(m);
    }
  } catch (err) {
    fatal(err);
  }
});
`;
