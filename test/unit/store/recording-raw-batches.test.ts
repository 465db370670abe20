import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateRawSync, inflateRaw } from 'node:zlib';
import { openRecordingReader, type RecordingReader } from '../../../src/adapters/recording/recording-reader.js';
import { openRecordingWriter } from '../../../src/adapters/recording/recording-writer.js';
import type { RawFrame } from '../../../src/adapters/recording/recording-chunk.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { captureLog, makeTempDir, writeFormat1Recording } from '../../support/store/fixtures.js';

const START = Date.UTC(2026, 10, 21, 0, 0, 0);
const T = START * 1000;
const frame = (i: number): string => `{"trnm":"REAL","data":[{"type":"0B","item":"005930","name":"삼성전자","values":{"10":"+${70000 + i}"}}]}`;

async function allRaw(r: RecordingReader, afterSeq?: number): Promise<RawFrame[]> {
  const out: RawFrame[] = [];
  for await (const batch of r.rawBatches(afterSeq === undefined ? {} : { afterSeq })) out.push(...batch);
  return out;
}

/** The raw path (replay's) gives exactly the frames the text path gives, as their bytes. */
describe('recording reader: raw batches', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('krx-rec-raw-');
  });
  afterEach(() => tmp.cleanup());

  function written(count: number, chunkFrames: number): string {
    const w = openRecordingWriter({ dir: join(tmp.dir, 'recordings'), sessionId: 'raw1', startMs: START, appVersion: '0.1.0', config: { mode: 'sim' }, seed: 1, clock: createVirtualClock(START), log: captureLog(), batchRows: 10_000, chunkFrames });
    for (let i = 0; i < count; i++) {
      if (i % 7 === 3) w.append('lifecycle', `{"type":"note","i":${i}}`, T + i);
      else w.appendBytes('ws.in', Buffer.from(frame(i), 'utf8'), T + i);
    }
    w.appendBytes('ws.in', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), T + count); // not UTF-8: exact bytes
    w.close();
    return w.file;
  }

  it('yields every frame of every chunk as its exact bytes, in seq order, from any point', async () => {
    const file = written(1000, 64);
    const r = openRecordingReader(file);
    const text = [...r.frames()];
    const raw = await allRaw(r);
    expect(raw.map((f) => f.seq)).toEqual(text.map((f) => f.seq));
    for (let i = 0; i < text.length; i++) {
      const t = text[i]!;
      const b = raw[i]!;
      expect([b.tsUs, b.kind]).toEqual([t.tsUs, t.kind]);
      expect(Buffer.compare(b.bytes, Buffer.from(t.bytes ?? Buffer.from(t.data, 'utf8')))).toBe(0);
    }
    expect([...raw.at(-1)!.bytes]).toEqual([0x7b, 0xff, 0xfe, 0x7d]);
    for (const after of [0, 63, 64, 65, 999, 1001]) {
      const got = await allRaw(r, after);
      expect(got.map((f) => f.seq)).toEqual(text.filter((f) => f.seq > after).map((f) => f.seq));
    }
    r.close();
  });

  it('gives the same batches inflated on the caller\'s thread (sync, and async without inflating ahead)', async () => {
    const file = written(1000, 64);
    const r = openRecordingReader(file);
    const ahead = await allRaw(r, 70);
    const sync = [...r.rawBatchesSync({ afterSeq: 70 })].flat();
    const inline: RawFrame[] = [];
    for await (const batch of r.rawBatches({ afterSeq: 70, inflateAhead: false })) inline.push(...batch);
    for (const got of [sync, inline]) {
      expect(got.map((f) => [f.seq, f.tsUs, f.kind])).toEqual(ahead.map((f) => [f.seq, f.tsUs, f.kind]));
      got.forEach((f, i) => expect(Buffer.compare(f.bytes, ahead[i]!.bytes)).toBe(0));
    }
    r.close();
  });

  it('refuses a corrupt chunk on the sync path with E_RECORDING_READ', () => {
    const file = written(200, 32);
    const db = new Database(file);
    db.prepare('UPDATE chunks SET data = ? WHERE first_seq = 33').run(Buffer.from('not deflate data'));
    db.close();
    const r = openRecordingReader(file);
    let seen = 0;
    expect(() => {
      for (const batch of r.rawBatchesSync()) seen += batch.length;
    }).toThrow(expect.objectContaining({ code: 'E_RECORDING_READ' }));
    expect(seen).toBe(32);
    r.close();
  });

  it('stops early without leaving the chunks inflating ahead unhandled (a bad one among them)', async () => {
    const file = written(2000, 32);
    const db = new Database(file);
    db.prepare('UPDATE chunks SET data = ? WHERE first_seq = 33').run(Buffer.from('not deflate data'));
    db.close();
    const r = openRecordingReader(file);
    let seen = 0;
    for await (const batch of r.rawBatches()) {
      seen += batch.length;
      break;
    }
    expect(seen).toBe(32);
    // The bad chunk's inflate fails on the thread pool after the break (vitest fails the run on an
    // unhandled rejection): an inflate queued after it comes back after it has settled.
    await promisify(inflateRaw)(deflateRawSync(Buffer.alloc(16)));
    await new Promise<void>((resolve) => setImmediate(resolve));
    r.close();
  });

  it('a chunk that does not inflate, or inflates past its declared frames, is E_RECORDING_READ', async () => {
    const file = written(300, 64);
    const db = new Database(file);
    const chunks = db.prepare('SELECT first_seq FROM chunks ORDER BY first_seq').pluck().all() as number[];
    db.prepare('UPDATE chunks SET data = ? WHERE first_seq = ?').run(Buffer.from('not deflate data at all'), chunks[2]);
    db.close();
    const r = openRecordingReader(file);
    const seen: number[] = [];
    const failed = (async () => {
      for await (const batch of r.rawBatches()) seen.push(...batch.map((f) => f.seq));
    })();
    await expect(failed).rejects.toMatchObject({ code: 'E_RECORDING_READ' });
    expect(seen.length).toBe(128); // the two good chunks before it
    r.close();

    const db2 = new Database(file);
    // Lengths declaring more bytes than the chunk holds: truncated.
    const lens = Buffer.alloc(64 * 4);
    for (let i = 0; i < 64; i++) lens.writeUInt32LE(10_000, i * 4);
    db2.prepare('UPDATE chunks SET data = ?, lens = ? WHERE first_seq = ?').run(deflateRawSync(Buffer.alloc(1000)), lens, chunks[2]);
    db2.close();
    const r2 = openRecordingReader(file);
    await expect(allRaw(r2)).rejects.toMatchObject({ code: 'E_RECORDING_READ', message: expect.stringContaining('truncated') });
    r2.close();
  });

  it('reads format 1 recordings too', async () => {
    const file = join(tmp.dir, 'old.rec.db');
    writeFormat1Recording(file, START, Array.from({ length: 600 }, (_, k) => ({ tsUs: T + k + 1, data: frame(k + 1) })));
    const r = openRecordingReader(file);
    const raw = await allRaw(r, 3);
    expect(raw.map((f) => f.seq)).toEqual(Array.from({ length: 597 }, (_, i) => i + 4));
    expect(raw[0]!.bytes.toString('utf8')).toBe(frame(4));
    r.close();
  });
});
