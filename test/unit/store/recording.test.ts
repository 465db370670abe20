import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { openRecordingWriter, type RecordingWriterOptions } from '../../../src/adapters/recording/recording-writer.js';
import { openRecordingReader } from '../../../src/adapters/recording/recording-reader.js';
import { listRecordings } from '../../../src/adapters/recording/list-recordings.js';
import { recordingFileName } from '../../../src/adapters/recording/recording-file.js';
import { captureLog, makeTempDir, writeFormat1Recording } from '../../support/store/fixtures.js';

const START = Date.UTC(2026, 10, 21, 0, 0, 0); // 09:00:00 KST
/** Frame stamps within the session (the reader refuses frames stamped outside it). */
const T = START * 1000;
const frame = (i: number): string => `{"trnm":"REAL","data":[{"type":"0B","item":"005930","values":{"10":"+${70000 + i}"}}]}`;

describe('session recordings', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let dir: string;
  beforeEach(() => {
    tmp = makeTempDir('krx-rec-');
    dir = join(tmp.dir, 'recordings');
  });
  afterEach(() => tmp.cleanup());

  function writer(over: Partial<RecordingWriterOptions> = {}) {
    const clock = createVirtualClock(START);
    const log = captureLog();
    const w = openRecordingWriter({ dir, sessionId: 'sess1', startMs: START, appVersion: '0.1.0', config: { mode: 'sim' }, seed: 42, clock, log, ...over });
    return { clock, log, w };
  }
  const committedFrames = (file: string): number => {
    const db = new Database(file, { readonly: true });
    const n = db.prepare('SELECT coalesce(sum(count), 0) FROM chunks').pluck().get() as number;
    db.close();
    return n;
  };

  it('names the file from the KST start and the session id', () => {
    expect(recordingFileName('sess1', START)).toBe('2026-11-21T090000+0900_sess1.rec.db');
    expect(() => recordingFileName('../etc', START)).toThrow(expect.objectContaining({ code: 'E_RECORDING_WRITE' }));
    const { w } = writer();
    expect(w.file).toBe(join(dir, '2026-11-21T090000+0900_sess1.rec.db'));
    w.close();
    expect(() => writer()).toThrow(expect.objectContaining({ code: 'E_RECORDING_WRITE' })); // never overwrites
  });

  it('buffers appends and commits on the timer and on size, on the writing thread', async () => {
    const { clock, w } = writer({ batchRows: 100, flushIntervalMs: 250 });
    for (let i = 0; i < 50; i++) w.append('ws.in', frame(i), START * 1000 + i);
    await w.idle(); // nothing handed over yet
    expect(w.stats()).toMatchObject({ appended: 50, pending: 50, committed: 0 });
    expect(committedFrames(w.file)).toBe(0);
    clock.tick(250);
    await w.idle();
    expect(committedFrames(w.file)).toBe(50);
    for (let i = 50; i < 249; i++) w.append('ws.in', frame(i), START * 1000 + i);
    await w.idle();
    expect(w.stats()).toMatchObject({ committed: 150, pending: 99 }); // one size-triggered batch
    w.append('ws.in', frame(249), START * 1000 + 249);
    await w.idle();
    expect(w.stats()).toMatchObject({ committed: 250, pending: 0 });
    expect(committedFrames(w.file)).toBe(250);
    w.close();
  });

  it('flush() blocks until the writing thread has committed', () => {
    const { w } = writer();
    for (let i = 0; i < 10; i++) w.append('ws.in', frame(i), START * 1000 + i);
    expect(w.flush()).toBe(true);
    expect(w.stats()).toMatchObject({ committed: 10, pending: 0 });
    expect(committedFrames(w.file)).toBe(10);
    w.close();
  });

  it('close() writes the end meta and leaves one self-contained file', () => {
    const { clock, w } = writer();
    w.append('lifecycle', '{"event":"socket.opened"}', START * 1000);
    w.append('rest', '{"api":"ka90003","request":{},"response":{"return_code":0}}', START * 1000 + 1);
    w.append('ws.in', frame(1), START * 1000 + 2);
    clock.tick(5000);
    w.close();
    w.close(); // idempotent
    expect(readdirSync(dir)).toEqual(['2026-11-21T090000+0900_sess1.rec.db']); // no -wal/-shm left
    const r = openRecordingReader(w.file);
    expect(r.meta).toEqual({ sessionId: 'sess1', start: START, end: START + 5000, appVersion: '0.1.0', config: { mode: 'sim' }, seed: '42', formatVersion: 3 });
    expect([...r.frames()].map((f) => [f.seq, f.kind])).toEqual([
      [1, 'lifecycle'],
      [2, 'rest'],
      [3, 'ws.in'],
    ]);
    r.close();
  });

  it('reads frames in seq order, chunk by chunk, from any point', () => {
    const { w } = writer({ batchRows: 1000 });
    for (let i = 0; i < 2500; i++) w.append('ws.in', frame(i), START * 1000 + i);
    w.close();
    const r = openRecordingReader(w.file);
    const seen: number[] = [];
    for (const f of r.frames({ chunkSize: 300 })) seen.push(f.seq);
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    const tail = [...r.frames({ afterSeq: 2497, chunkSize: 2 })];
    expect(tail.map((f) => f.seq)).toEqual([2498, 2499, 2500]);
    expect(tail[2]).toEqual({ seq: 2500, tsUs: START * 1000 + 2499, kind: 'ws.in', data: frame(2499) });
    // Lazy: taking the first frame does not need the rest.
    const it1 = r.frames({ chunkSize: 10 });
    expect(it1.next().value?.seq).toBe(1);
    it1.return(undefined);
    expect(r.frameCount()).toBe(2500);
    r.close();
  });

  it('stores many frames per row and reads any seq range across chunk borders', () => {
    const { w } = writer({ batchRows: 1000, chunkFrames: 64 });
    for (let i = 0; i < 1000; i++) w.append('ws.in', frame(i), START * 1000 + i);
    w.flush();
    const db = new Database(w.file, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM chunks').pluck().get()).toBe(16); // ceil(1000 / 64)
    db.close();
    w.close();
    const r = openRecordingReader(w.file);
    for (const after of [0, 63, 64, 65, 127, 998, 999, 1000]) {
      const got = [...r.frames({ afterSeq: after, chunkSize: 100 })];
      expect(got.map((f) => f.seq)).toEqual(Array.from({ length: 1000 - after }, (_, i) => after + i + 1));
      if (got[0]) expect(got[0]).toEqual({ seq: after + 1, tsUs: START * 1000 + after, kind: 'ws.in', data: frame(after) });
    }
    r.close();
  });

  it('records raw bytes exactly: UTF-8 frames come back as text, others also as their bytes', () => {
    const { w } = writer();
    const korean = Buffer.from('{"trnm":"REAL","data":[{"type":"0B","name":"주식체결"}]}', 'utf8');
    const invalid = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x00, 0xc3, 0x28, 0x7d]);
    const empty = Buffer.alloc(0);
    w.appendBytes('ws.in', korean, T + 1);
    w.appendBytes('ws.in', invalid, T + 2);
    w.append('lifecycle', '{"event":"x","note":"\uFFFD"}', T + 3);
    w.appendBytes('ws.in', empty, T + 4);
    w.appendBytes('ws.in', Buffer.from('{"trnm":"LOGIN","token":"tok-123456"}'), T + 5); // refused
    w.close();
    expect(w.stats()).toMatchObject({ committed: 4, refused: 1 });
    const r = openRecordingReader(w.file);
    const got = [...r.frames()];
    r.close();
    expect(got[0]).toEqual({ seq: 1, tsUs: T + 1, kind: 'ws.in', data: korean.toString('utf8') });
    expect(got[1]?.bytes).toEqual(invalid);
    expect(Buffer.isBuffer(got[1]?.bytes)).toBe(true);
    expect(got[1]?.data).toBe(invalid.toString('utf8'));
    expect(got[2]).toEqual({ seq: 3, tsUs: T + 3, kind: 'lifecycle', data: '{"event":"x","note":"\uFFFD"}' });
    expect(got[3]).toEqual({ seq: 4, tsUs: T + 4, kind: 'ws.in', data: '' });
  });

  it('still reads format 1 recordings (one row per frame)', () => {
    const file = join(tmp.dir, 'old.rec.db');
    writeFormat1Recording(file, START, [1, 2, 3, 4, 5].map((i) => ({ tsUs: START * 1000 + i, data: frame(i) })));
    const r = openRecordingReader(file);
    expect(r.meta.formatVersion).toBe(1);
    expect(r.frameCount()).toBe(5);
    expect([...r.frames({ afterSeq: 3 })]).toEqual([4, 5].map((i) => ({ seq: i, tsUs: START * 1000 + i, kind: 'ws.in', data: frame(i) })));
    r.close();
  });

  it('refuses to read a recording of a newer format', () => {
    const { w } = writer();
    w.close();
    const db = new Database(w.file);
    db.prepare("UPDATE meta SET value = '99' WHERE key = 'format_version'").run();
    db.close();
    expect(() => openRecordingReader(w.file)).toThrow(expect.objectContaining({ code: 'E_RECORDING_READ', message: expect.stringMatching(/format 99 is newer/) }));
  });

  it('refuses secret-bearing and malformed frames, counts and logs them without the data', () => {
    const { w, log } = writer({ secrets: ['SECRET-APPKEY-XYZ'] });
    w.append('ws.in', '{"trnm":"LOGIN","token":"tok-123456"}', T + 1);
    w.append('rest', '{"api":"x","response":{"note":"SECRET-APPKEY-XYZ"}}', T + 2);
    w.append('nope' as 'ws.in', '{}', T + 3);
    w.append('ws.in', frame(1), T + 1.5);
    w.append('ws.in', frame(1), T + 4);
    w.close();
    expect(w.stats()).toMatchObject({ refused: 4, committed: 1 });
    expect(log.codes()).toEqual(['E_RECORDING_SECRET', 'E_RECORDING_SECRET', 'E_RECORDING_SECRET', 'E_RECORDING_SECRET']);
    expect(JSON.stringify(log.lines)).not.toContain('tok-123456');
    expect(JSON.stringify(log.lines)).not.toContain('SECRET-APPKEY-XYZ');
    const r = openRecordingReader(w.file);
    expect([...r.frames()].map((f) => f.data)).toEqual([frame(1)]);
    r.close();
  });

  it('keeps frames pending while the file is locked and commits them after', async () => {
    const { clock, w, log } = writer({ busyTimeoutMs: 0, flushIntervalMs: 100 });
    const other = new Database(w.file);
    other.exec('BEGIN EXCLUSIVE');
    w.append('ws.in', frame(1), T + 1);
    clock.tick(100);
    await w.idle();
    expect(w.stats()).toMatchObject({ writeErrors: 1, pending: 1 });
    expect(log.lines[0]?.fields).toMatchObject({ code: 'E_RECORDING_WRITE', sqlite: 'SQLITE_BUSY' });
    other.exec('COMMIT');
    other.close();
    clock.tick(100); // the timer retries what the writing thread holds
    await w.idle();
    expect(w.stats()).toMatchObject({ committed: 1, pending: 0 });
    expect(log.lines.at(-1)?.msg).toMatch(/writing again/);
    w.close();
  });

  it('bounds pending frames while failing, retries only on the timer and leaves seq gaps for drops', async () => {
    const { clock, w, log } = writer({ busyTimeoutMs: 0, flushIntervalMs: 100, batchRows: 5, maxPendingRows: 10 });
    const other = new Database(w.file);
    other.exec('BEGIN EXCLUSIVE');
    for (let i = 1; i <= 5; i++) w.append('ws.in', frame(i), T + i); // the 5th hands a batch over: its commit fails
    await w.idle();
    expect(w.stats().writeErrors).toBe(1);
    for (let i = 6; i <= 30; i++) w.append('ws.in', frame(i), T + i);
    await w.idle();
    expect(w.stats().writeErrors).toBe(1); // no hand-over (and so no retry) per batch while failing
    expect(w.stats().pending).toBeLessThanOrEqual(10);
    expect(w.stats().dropped + w.stats().pending).toBe(30);
    other.exec('COMMIT');
    other.close();
    clock.tick(100);
    await w.idle();
    const { pending, dropped, committed } = w.stats();
    expect(pending).toBe(0);
    expect(dropped).toBeGreaterThan(0);
    expect(committed).toBe(30 - dropped);
    expect(log.lines.at(-1)?.msg).toMatch(/writing again/);
    w.close();
    const r = openRecordingReader(w.file);
    const seqs = [...r.frames()].map((f) => f.seq);
    r.close();
    // The batch the writing thread held survives, then the newest; the buffered oldest were dropped.
    expect(seqs.length).toBe(committed);
    expect(seqs.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(seqs.at(-1)).toBe(30);
    expect(seqs.every((s, i) => i === 0 || s > (seqs[i - 1] ?? 0))).toBe(true);
  });

  it('refuses a config summary that holds a secret', () => {
    const { w, log } = writer({ config: { kiwoom: { appkey: 'leaked-key' } } });
    w.close();
    const r = openRecordingReader(w.file);
    expect(r.meta.config).toBeNull();
    r.close();
    expect(log.codes()).toEqual(['E_RECORDING_SECRET']);
  });

  it('lists recordings with meta, frame counts and sizes; flags unreadable files', () => {
    expect(listRecordings(join(tmp.dir, 'missing'))).toEqual([]);
    const a = writer({ sessionId: 'b-second', startMs: START + 3_600_000 });
    a.w.append('ws.in', frame(1), 1);
    a.w.close(START + 7_200_000);
    const b = writer({ sessionId: 'a-first' });
    b.w.append('ws.in', frame(1), 1);
    b.w.append('ws.in', frame(2), 2);
    b.w.flush(); // still open: no end yet
    writeFileSync(join(dir, 'junk.rec.db'), 'not sqlite');
    writeFileSync(join(dir, 'ignored.txt'), 'x');
    const list = listRecordings(dir);
    expect(list.map((r) => [r.sessionId, r.start, r.end, r.frames])).toEqual([
      ['a-first', START, null, 2],
      ['b-second', START + 3_600_000, START + 7_200_000, 1],
      [null, null, null, 0],
    ]);
    expect(list[0]?.sizeBytes).toBeGreaterThan(0);
    expect(list[2]?.error).toBeDefined();
    b.w.close();
    expect(existsSync(b.w.file)).toBe(true);
  });

  it('refuses to read a non-recording with E_RECORDING_READ', () => {
    const file = join(tmp.dir, 'plain.db');
    new Database(file).close();
    expect(() => openRecordingReader(file)).toThrow(expect.objectContaining({ code: 'E_RECORDING_READ' }));
    expect(() => openRecordingReader(join(tmp.dir, 'none.db'))).toThrow(expect.objectContaining({ code: 'E_RECORDING_READ' }));
  });
});
