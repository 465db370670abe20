import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { openRecordingReader } from '../../../src/adapters/recording/recording-reader.js';
import { startRecordingWorker, type WorkerEvent } from '../../../src/adapters/recording/recording-worker.js';
import { openRecordingWriter } from '../../../src/adapters/recording/recording-writer.js';
import { captureLog, makeTempDir } from '../../support/store/fixtures.js';

const START = Date.UTC(2026, 10, 21, 0, 0, 0);
const frame = (i: number): string => `{"trnm":"REAL","data":[{"type":"0B","item":"005930","values":{"10":"+${70000 + i}"}}]}`;

describe('the recording writing thread', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('krx-rec-worker-');
  });
  afterEach(() => tmp.cleanup());

  it('reports a thread that cannot start as a crash event, never as an exception', async () => {
    const events: WorkerEvent[] = [];
    const worker = startRecordingWorker(join(tmp.dir, 'missing.rec.db'), 0, (e) => events.push(e));
    await worker.idle();
    expect(events).toEqual([{ t: 'crashed', err: expect.stringMatching(/unable to open|no such file|does not exist/i) }]);
    expect(worker.dead()).toBe(true);
    expect(worker.sync(1000)).toBe(false); // returns at once: nothing to wait for
    expect(() => worker.commit([])).not.toThrow();
    expect(worker.close({}, 0, 1000)).toBe(false);
  });

  it('a crashed thread stops the recording: logged, counted, frames dropped, close() returns', async () => {
    const dir = join(tmp.dir, 'recordings');
    const log = captureLog();
    const clock = createVirtualClock(START);
    const w = openRecordingWriter({ dir, sessionId: 's', startMs: START, appVersion: 't', clock, log, busyTimeoutMs: 0 });
    // Taken before the thread has booted (it loads a V8 isolate and better-sqlite3 first): it then
    // cannot even read the schema, which it treats as fatal.
    const other = new Database(w.file);
    other.pragma('locking_mode = EXCLUSIVE');
    other.exec('BEGIN EXCLUSIVE');
    w.append('ws.in', frame(1), 1);
    await w.idle();
    expect(log.lines.map((l) => l.msg)).toEqual(['recording thread crashed; recording stopped']);
    expect(log.codes()).toEqual(['E_RECORDING_WRITE']);
    expect(w.stats()).toMatchObject({ appended: 1, committed: 0, pending: 0, dropped: 1, writeErrors: 1 });
    w.append('ws.in', frame(2), 2);
    clock.tick(1000);
    expect(w.flush()).toBe(true); // nothing pending: all dropped
    w.close(START + 1);
    expect(w.stats()).toMatchObject({ appended: 1, dropped: 2, pending: 0 });
    other.exec('COMMIT');
    other.close();
    const r = openRecordingReader(w.file);
    expect(r.meta.end).toBeNull(); // reads like a crashed recording
    expect(r.frameCount()).toBe(0);
    r.close();
  });
});
