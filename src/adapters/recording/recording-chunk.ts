import { isUtf8 } from 'node:buffer';
import type { RecordedFrame, RecordingKind } from '../../core/recording.js';

/**
 * Format 2 stores many frames per SQLite row (one insert per chunk instead of per frame):
 * `chunks(first_seq, count, ts_us, kinds, lens, data)` with consecutive seqs from first_seq,
 * `ts_us` float64 LE per frame (exact: epoch us < 2^53), `kinds` one byte per frame, `lens`
 * uint32 LE per frame, `data` the frames' bytes back to back.
 */

/** Kind codes; BYTES marks a frame appended as raw bytes (maybe not UTF-8: the reader checks). */
const KIND_CODES: Readonly<Record<RecordingKind, number>> = { 'ws.in': 0, rest: 1, lifecycle: 2 };
const KIND_NAMES: readonly RecordingKind[] = ['ws.in', 'rest', 'lifecycle'];
const BYTES = 0x80;

/** One chunk row, ready to insert; each buffer owns its ArrayBuffer (transferable to the worker). */
export interface PackedChunk {
  readonly firstSeq: number;
  readonly count: number;
  readonly ts: Buffer;
  readonly kinds: Buffer;
  readonly lens: Buffer;
  readonly data: Buffer;
}

export function kindCode(kind: RecordingKind, bytes: boolean): number {
  return KIND_CODES[kind] | (bytes ? BYTES : 0);
}

/** Frames waiting for a hand-over, packed as they arrive: one copy per frame, no reference kept. */
export interface ChunkQueue {
  /** Frames queued (sealed chunks plus the open one). */
  readonly frames: number;
  /** Their frame bytes (the memory the queue holds beyond fixed chunk overhead). */
  readonly bytes: number;
  /** Queues a frame as the next seq. */
  add(tsUs: number, code: number, data: string | Uint8Array): void;
  /** Seals the open chunk and returns every queued chunk, oldest first; the queue is then empty. */
  take(): PackedChunk[];
  /** Drops whole chunks, oldest first, until at least `atLeast` frames are gone; returns how many. */
  dropOldest(atLeast: number): number;
  /** Takes back committed chunks' data memory for the next chunks (bounded pool). */
  recycle(buffers: readonly ArrayBuffer[]): void;
}

/** Spare data buffers kept for reuse; more are left to the GC. */
const POOL_LIMIT = 8;

/** Initial data bytes per frame of a chunk; a frame that does not fit seals the chunk early. */
const BYTES_PER_FRAME = 1024;

interface OpenChunk {
  readonly firstSeq: number;
  count: number;
  bytes: number;
  readonly ts: Float64Array;
  readonly kinds: Uint8Array;
  readonly lens: Uint32Array;
  readonly data: Buffer;
}

/** A queue of chunks of at most `chunkFrames` frames, seqs from 1. */
export function createChunkQueue(chunkFrames: number): ChunkQueue {
  const sealed: PackedChunk[] = [];
  let open: OpenChunk | null = null;
  let nextSeq = 1;
  let frames = 0;
  let queuedBytes = 0;
  const pool: ArrayBuffer[] = [];

  /** The index arrays of a chunk that was sealed by copying (the timer's small chunks): used again. */
  let spareIndex: Pick<OpenChunk, 'ts' | 'kinds' | 'lens'> | null = null;

  const openChunk = (minBytes: number): OpenChunk => {
    const index = spareIndex ?? { ts: new Float64Array(chunkFrames), kinds: new Uint8Array(chunkFrames), lens: new Uint32Array(chunkFrames) };
    spareIndex = null;
    return {
      firstSeq: nextSeq,
      count: 0,
      bytes: 0,
      ...index,
      // Not Buffer's shared pool: the chunk's memory is transferred to the worker as a whole.
      data: reuseOrAllocate(Math.max(minBytes, chunkFrames * BYTES_PER_FRAME)),
    };
  };

  const reuseOrAllocate = (bytes: number): Buffer => {
    const i = pool.findIndex((b) => b.byteLength >= bytes);
    return i >= 0 ? Buffer.from(pool.splice(i, 1)[0] as ArrayBuffer) : Buffer.allocUnsafeSlow(bytes);
  };

  const recycle = (buffers: readonly ArrayBuffer[]): void => {
    // Only full-size buffers: a small one (a timer's chunk copied to its size) would clog the pool.
    for (const b of buffers) if (b.byteLength >= chunkFrames * BYTES_PER_FRAME && pool.length < POOL_LIMIT && !pool.includes(b)) pool.push(b);
  };

  const seal = (): void => {
    if (open === null || open.count === 0) return;
    const { firstSeq, count, bytes } = open;
    // A mostly empty chunk (the timer's) is copied to its size: held chunks must not hoard memory.
    const fit = (u: Uint8Array, used: number): Buffer => (copies(u, used) ? ownedCopy(u.subarray(0, used)) : Buffer.from(u.buffer, u.byteOffset, used));
    const copies = (u: Uint8Array, used: number): boolean => used * 2 < u.byteLength;
    sealed.push({
      firstSeq,
      count,
      ts: fit(new Uint8Array(open.ts.buffer), count * 8),
      kinds: fit(open.kinds, count),
      lens: fit(new Uint8Array(open.lens.buffer), count * 4),
      data: fit(open.data, bytes),
    });
    // What was copied stays here for the next chunk: the timer seals a mostly empty chunk every
    // 250 ms, and a fresh 512 KiB buffer each time was malloc churn the process's RSS kept growing on.
    if (copies(open.kinds, count)) spareIndex = { ts: open.ts, kinds: open.kinds, lens: open.lens };
    if (copies(open.data, bytes) && open.data.byteOffset === 0) recycle([open.data.buffer as ArrayBuffer]);
    open = null;
  };

  return {
    get frames() {
      return frames;
    },
    get bytes() {
      return queuedBytes;
    },
    add(tsUs, code, data) {
      const n = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.byteLength;
      if (open !== null && (open.count === chunkFrames || open.bytes + n > open.data.length)) seal();
      const c = open ?? (open = openChunk(n));
      if (typeof data === 'string') c.data.write(data, c.bytes, 'utf8');
      else c.data.set(data, c.bytes);
      c.ts[c.count] = tsUs;
      c.kinds[c.count] = code;
      c.lens[c.count] = n;
      c.bytes += n;
      c.count++;
      nextSeq++;
      frames++;
      queuedBytes += n;
    },
    take() {
      seal();
      frames = 0;
      queuedBytes = 0;
      return sealed.splice(0);
    },
    recycle,
    dropOldest(atLeast) {
      let gone = 0;
      while (gone < atLeast && sealed.length > 0) {
        const c = sealed.shift() as PackedChunk;
        gone += c.count;
        queuedBytes -= c.data.byteLength;
      }
      if (gone < atLeast && open !== null) {
        gone += open.count;
        queuedBytes -= open.bytes;
        open = null;
      }
      frames -= gone;
      return gone;
    },
  };
}

function ownedCopy(u: Uint8Array): Buffer {
  const b = Buffer.allocUnsafeSlow(u.byteLength);
  b.set(u);
  return b;
}

/**
 * A stored frame as text. Bytes that are not UTF-8 come back exactly as `bytes` (data is then their
 * lossy decoding); a frame appended as text always is UTF-8.
 */
export function textFrame(f: RawFrame): RecordedFrame {
  const data = f.bytes.toString('utf8');
  return isUtf8(f.bytes) ? { seq: f.seq, tsUs: f.tsUs, kind: f.kind, data } : { seq: f.seq, tsUs: f.tsUs, kind: f.kind, data, bytes: Buffer.from(f.bytes) };
}

/** A frame as stored: its bytes, not decoded (a view into its chunk's inflated data, which it keeps alive). */
export interface RawFrame {
  readonly seq: number;
  readonly tsUs: number;
  readonly kind: RecordingKind;
  readonly bytes: Buffer;
}

/**
 * The frames of one stored chunk as byte views, in seq order, skipping those with seq <= afterSeq.
 * No UTF-8 decode and no check: the consumer decodes what it needs (the frame router checks UTF-8
 * itself, as it does for the live socket's bytes).
 */
export function unpackRawChunk(firstSeq: number, count: number, ts: Buffer, kinds: Buffer, lens: Buffer, data: Buffer, afterSeq: number): RawFrame[] {
  if (ts.length !== count * 8 || kinds.length !== count || lens.length !== count * 4) throw new Error(`chunk ${firstSeq} is malformed`);
  const out: RawFrame[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const n = lens.readUInt32LE(i * 4);
    const seq = firstSeq + i;
    const start = at;
    at += n;
    if (at > data.length) throw new Error(`chunk ${firstSeq} is truncated`);
    if (seq <= afterSeq) continue;
    const code = kinds[i] as number;
    const kind = KIND_NAMES[code & ~BYTES];
    if (kind === undefined) throw new Error(`chunk ${firstSeq} has an unknown kind ${code}`);
    out.push({ seq, tsUs: ts.readDoubleLE(i * 8), kind, bytes: data.subarray(start, at) });
  }
  return out;
}
