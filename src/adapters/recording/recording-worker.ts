import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { PackedChunk } from './recording-chunk.js';
import { INSERT_CHUNK_SQL, SET_META_SQL } from './recording-file.js';
import {
  COUNT_COMMITTED,
  COUNT_COMMITTED_BYTES,
  COUNT_DROPPED,
  COUNT_STORED_BYTES,
  COUNT_SLOTS,
  COUNT_WRITE_ERRORS,
  CTL_ACK,
  CTL_DEAD,
  CTL_FAILING,
  CTL_SLOTS,
  RECORDING_WORKER_SOURCE,
  type FromWorker,
  type ToWorker,
  type WorkerData,
} from './recording-worker-source.js';

export type WorkerEvent = Exclude<FromWorker, { t: 'synced' }> | { readonly t: 'crashed'; readonly err: string };

/** The main thread's handle on the thread that commits a recording (recording-worker-source.ts). */
export interface RecordingWorker {
  /** Hands chunks over (their buffers are transferred); no chunks = retry what the worker holds. */
  commit(chunks: readonly PackedChunk[]): void;
  /** Blocks until the worker has handled everything handed over; false on timeout or death. */
  sync(timeoutMs: number): boolean;
  /** Resolves once the worker has handled everything handed over so far (never blocks). */
  idle(): Promise<void>;
  /** Commits, writes `meta` plus the frame counts, folds the WAL, closes; blocks. False on timeout. */
  close(meta: Readonly<Record<string, string>>, droppedBefore: number, timeoutMs: number): boolean;
  /** The file may not grow (SQLite max_page_count at its current size) or may again. */
  limitGrowth(limited: boolean): void;
  /** Stops the thread without waiting (after a timeout). */
  terminate(): void;
  committed(): number;
  /** Frame bytes no longer held by the worker (committed, or given up at close). */
  committedBytes(): number;
  /** Compressed bytes written to the file so far. */
  storedBytes(): number;
  /** Frames the worker gave up at close. */
  dropped(): number;
  writeErrors(): number;
  failing(): boolean;
  dead(): boolean;
}

const sqlitePath = createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * Starts the worker on an existing recording file. Counters live in shared memory (readable at any
 * time without a message turn); events (failures, recovery) arrive on a port, delivered to `onEvent`
 * asynchronously, or synchronously inside sync() and close(). A crash of the thread is an event,
 * never an exception on the main thread.
 */
export function startRecordingWorker(file: string, busyTimeoutMs: number, onEvent: (e: WorkerEvent) => void): RecordingWorker {
  const shared = new SharedArrayBuffer(CTL_SLOTS * 4 + COUNT_SLOTS * 8);
  const ctl = new Int32Array(shared, 0, CTL_SLOTS);
  const counts = new BigInt64Array(shared, CTL_SLOTS * 4, COUNT_SLOTS);
  const channel = new MessageChannel();
  const events = channel.port1;
  const workerData: WorkerData = { sqlitePath, file, busyTimeoutMs, insertSql: INSERT_CHUNK_SQL, metaSql: SET_META_SQL, shared, events: channel.port2 };
  // The worker only moves bytes into SQLite: a small young generation keeps its memory small (like the main thread's flag).
  const worker = new Worker(RECORDING_WORKER_SOURCE, { eval: true, workerData, transferList: [channel.port2], resourceLimits: { maxYoungGenerationSizeMb: 4 } });
  let syncId = 0;
  let finished = false;
  let crashed = false;
  const waiting = new Map<number, () => void>();

  const crash = (err: string): void => {
    if (crashed || finished) return;
    crashed = true;
    Atomics.store(ctl, CTL_DEAD, 1);
    onEvent({ t: 'crashed', err });
    releaseWaiters();
  };
  const releaseWaiters = (): void => {
    for (const resolve of waiting.values()) resolve();
    waiting.clear();
    events.unref();
  };
  const handle = (m: FromWorker): void => {
    if (m.t === 'synced') {
      waiting.get(m.id)?.();
      waiting.delete(m.id);
      if (waiting.size === 0) events.unref();
    } else if (m.t === 'fatal') crash(m.err);
    else onEvent(m);
  };
  const drain = (): void => {
    for (let m = receiveMessageOnPort(events); m !== undefined; m = receiveMessageOnPort(events)) handle(m.message as FromWorker);
  };
  events.on('message', handle);
  events.unref();
  worker.on('error', (err) => crash(err.message));
  worker.on('messageerror', (err) => crash(err.message));
  worker.on('exit', (code) => {
    // Its last words (a fatal error) may still wait on the port behind the exit: read them first.
    drain();
    if (!finished) crash(`recording worker exited (code ${code})`);
    releaseWaiters();
  });
  // An unclosed recording must not keep the process alive (it reads like a crashed one).
  worker.unref();

  const post = (m: ToWorker, transfer: ArrayBuffer[] = []): void => worker.postMessage(m, transfer);
  const dead = (): boolean => Atomics.load(ctl, CTL_DEAD) === 1;

  /** Atomics.wait in the calling thread: only for flush() and close(), never on the hot path. */
  const waitAck = (id: number, timeoutMs: number): boolean => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const acked = Atomics.load(ctl, CTL_ACK);
      if (acked >= id) break;
      if (dead()) break;
      const left = deadline - performance.now();
      if (left <= 0) break;
      Atomics.wait(ctl, CTL_ACK, acked, Math.min(left, 100));
    }
    drain();
    return Atomics.load(ctl, CTL_ACK) >= id && !dead();
  };

  return {
    commit(chunks) {
      if (dead() || finished) return;
      const transfer: ArrayBuffer[] = [];
      for (const c of chunks) transfer.push(c.ts.buffer as ArrayBuffer, c.kinds.buffer as ArrayBuffer, c.lens.buffer as ArrayBuffer, c.data.buffer as ArrayBuffer);
      post({ t: 'commit', chunks }, transfer);
    },
    limitGrowth(limited) {
      if (!dead() && !finished) post({ t: 'limitGrowth', limited });
    },
    sync(timeoutMs) {
      if (dead() || finished) return false;
      const id = ++syncId;
      post({ t: 'sync', id });
      return waitAck(id, timeoutMs);
    },
    idle() {
      if (dead() || finished) {
        drain();
        return Promise.resolve();
      }
      const id = ++syncId;
      events.ref();
      const done = new Promise<void>((resolve) => waiting.set(id, resolve));
      post({ t: 'sync', id });
      return done;
    },
    close(meta, droppedBefore, timeoutMs) {
      if (dead() || finished) return false;
      const id = ++syncId;
      post({ t: 'close', id, meta, droppedBefore });
      const ok = waitAck(id, timeoutMs);
      finished = true;
      releaseWaiters();
      return ok;
    },
    terminate() {
      finished = true;
      worker.terminate().catch(() => {});
    },
    committed: () => Number(Atomics.load(counts, COUNT_COMMITTED)),
    committedBytes: () => Number(Atomics.load(counts, COUNT_COMMITTED_BYTES)),
    storedBytes: () => Number(Atomics.load(counts, COUNT_STORED_BYTES)),
    dropped: () => Number(Atomics.load(counts, COUNT_DROPPED)),
    writeErrors: () => Number(Atomics.load(counts, COUNT_WRITE_ERRORS)),
    failing: () => Atomics.load(ctl, CTL_FAILING) === 1,
    dead,
  };
}
