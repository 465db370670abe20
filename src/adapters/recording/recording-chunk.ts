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

/**
 * Packs frames [from, to) of the writer's parallel arrays (strings are written as UTF-8). Every
 * buffer owns its whole ArrayBuffer (never Buffer's shared pool), so it can be transferred.
 */
export function packChunk(firstSeq: number, tss: readonly number[], codes: readonly number[], datas: readonly (string | Uint8Array)[], from: number, to: number): PackedChunk {
  const count = to - from;
  const ts = new Float64Array(count);
  const kinds = new Uint8Array(count);
  const lens = new Uint32Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const d = datas[from + i] as string | Uint8Array;
    const n = typeof d === 'string' ? Buffer.byteLength(d, 'utf8') : d.byteLength;
    lens[i] = n;
    total += n;
    ts[i] = tss[from + i] as number;
    kinds[i] = codes[from + i] as number;
  }
  const data = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const d = datas[from + i] as string | Uint8Array;
    if (typeof d === 'string') at += data.write(d, at, 'utf8');
    else {
      data.set(d, at);
      at += d.byteLength;
    }
  }
  return { firstSeq, count, ts: Buffer.from(ts.buffer), kinds: Buffer.from(kinds.buffer), lens: Buffer.from(lens.buffer), data };
}

/** The frames of one stored chunk, in seq order, skipping those with seq <= afterSeq. */
export function* unpackChunk(firstSeq: number, count: number, ts: Buffer, kinds: Buffer, lens: Buffer, data: Buffer, afterSeq: number): Generator<RecordedFrame, void, undefined> {
  if (ts.length !== count * 8 || kinds.length !== count || lens.length !== count * 4) throw new Error(`chunk ${firstSeq} is malformed`);
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
    const raw = data.subarray(start, at);
    const tsUs = ts.readDoubleLE(i * 8);
    // Bytes that are not UTF-8 come back exactly as `bytes` (data is then their lossy decoding).
    if ((code & BYTES) !== 0 && !isUtf8(raw)) yield { seq, tsUs, kind, data: raw.toString('utf8'), bytes: Buffer.from(raw) };
    else yield { seq, tsUs, kind, data: raw.toString('utf8') };
  }
}
