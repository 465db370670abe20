import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { listRecordings, openRecordingReader, openRecordingWriter, pruneRecordings } from '../../../src/adapters/recording/index.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { runCli } from '../../support/cli.js';
import { fixtureCopy } from '../../support/crafted-recordings.js';
import { captureLog } from '../../support/store/fixtures.js';

const START = Date.UTC(2026, 10, 20, 0, 0, 0);
const DAY = 86_400_000;

/** The recorded market frames of a fixture session: realistic bytes to compress. */
function fixtureFrames(): string[] {
  const { file } = fixtureCopy('sim-calm-3min');
  const reader = openRecordingReader(file);
  const frames = [...reader.frames()].filter((f) => f.kind === 'ws.in').map((f) => f.data);
  reader.close();
  return frames;
}

describe('recordings are bounded on disk and in memory (a day was 47 GB)', () => {
  it('compresses chunks (format 3) and reads every frame back exactly', () => {
    const frames = fixtureFrames();
    const dir = mkdtempSync(join(tmpdir(), 'krx-rec-z-'));
    const w = openRecordingWriter({ dir, sessionId: 'z', startMs: START, appVersion: 't', clock: createVirtualClock(START) });
    let raw = 0;
    for (let i = 0; i < frames.length; i++) {
      w.append('ws.in', frames[i] as string, START * 1000 + i);
      raw += Buffer.byteLength(frames[i] as string);
    }
    w.close();
    const size = statSync(w.file).size;
    expect(size).toBeLessThan(raw / 2);
    const reader = openRecordingReader(w.file);
    expect(reader.meta.formatVersion).toBe(3);
    expect([...reader.frames()].map((f) => f.data)).toEqual(frames);
    reader.close();
  });

  it('a deflated chunk that would inflate past the bound is refused, not expanded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'krx-rec-bomb-'));
    const w = openRecordingWriter({ dir, sessionId: 'bomb', startMs: START, appVersion: 't', clock: createVirtualClock(START) });
    w.append('ws.in', '{"trnm":"REAL"}', START * 1000);
    w.close();
    const db = new Database(w.file);
    // 300 MB of zeros deflates to about 300 KB: over the 256 MiB bound once inflated.
    db.prepare('UPDATE chunks SET data = ?').run(Buffer.from(require('node:zlib').deflateRawSync(Buffer.alloc(300 * 1024 * 1024))));
    db.close();
    const reader = openRecordingReader(w.file);
    expect(() => [...reader.frames()]).toThrow(expect.objectContaining({ code: 'E_RECORDING_READ' }));
    reader.close();
  });

  it('while the disk cannot write, the buffer is bounded in BYTES: it sheds the oldest with a counter and a log line', async () => {
    const clock = createVirtualClock(START);
    const log = captureLog();
    const dir = mkdtempSync(join(tmpdir(), 'krx-rec-shed-'));
    const maxPendingBytes = 2 * 1024 * 1024;
    const w = openRecordingWriter({ dir, sessionId: 'shed', startMs: START, appVersion: 't', clock, log, busyTimeoutMs: 0, flushIntervalMs: 100, maxPendingBytes });
    const blocker = new Database(w.file);
    blocker.exec('BEGIN EXCLUSIVE'); // every commit fails, as on a full disk
    const big = `{"trnm":"REAL","data":"${'x'.repeat(64 * 1024)}"}`;
    for (let i = 0; i < 200; i++) {
      w.append('ws.in', big, START * 1000 + i);
      if (i % 20 === 0) {
        clock.tick(100);
        await w.idle();
      }
      expect(w.stats().pendingBytes).toBeLessThanOrEqual(maxPendingBytes + big.length);
    }
    const stats = w.stats();
    expect(stats.shedding).toBe(true);
    expect(stats.dropped).toBeGreaterThan(100);
    expect(stats.dropped + stats.pending).toBe(200);
    expect(log.lines.filter((l) => l.fields.code === 'E_RECORDING_SHED')).toHaveLength(1);
    blocker.exec('COMMIT');
    blocker.close();
    clock.tick(100);
    await w.idle();
    clock.tick(100);
    await w.idle();
    expect(w.stats().shedding).toBe(false);
    expect(log.lines.at(-1)?.msg).toMatch(/writing again/);
    w.close();
  });

  it('a session stops recording at recording.maxSessionBytes, logged once', async () => {
    const clock = createVirtualClock(START);
    const log = captureLog();
    const dir = mkdtempSync(join(tmpdir(), 'krx-rec-cap-'));
    const maxSessionBytes = 1024 * 1024;
    const w = openRecordingWriter({ dir, sessionId: 'cap', startMs: START, appVersion: 't', clock, log, flushIntervalMs: 100, maxSessionBytes });
    for (let i = 0; i < 400; i++) {
      // Random bytes do not compress: 400 x 16 KiB is about 6 MiB stored without the cap.
      w.append('ws.in', `{"trnm":"REAL","data":"${randomBytes(8 * 1024).toString('hex')}"}`, START * 1000 + i);
      if (i % 10 === 0) {
        clock.tick(100);
        await w.idle();
      }
    }
    w.close();
    const stats = w.stats();
    expect(stats.capped).toBe(true);
    expect(stats.dropped).toBeGreaterThan(0);
    // The cap is checked as commits land: it overshoots by at most what was in flight (here about 160 KiB a hand-over).
    expect(statSync(w.file).size).toBeLessThanOrEqual(maxSessionBytes + 640 * 1024);
    expect(log.lines.filter((l) => l.fields.code === 'E_RECORDING_CAP')).toHaveLength(1);
  });

  it('retention deletes past keepDays, then the oldest over maxBytes, never the current one, with a log line each', () => {
    const dir = mkdtempSync(join(tmpdir(), 'krx-rec-prune-'));
    const files: string[] = [];
    for (const [i, daysAgo] of [40, 10, 5, 2, 0].entries()) {
      const w = openRecordingWriter({ dir, sessionId: `s${i}`, startMs: START - daysAgo * DAY, appVersion: 't', clock: createVirtualClock(START) });
      for (let k = 0; k < 50; k++) w.append('ws.in', `{"trnm":"REAL","data":"${randomBytes(2048).toString('hex')}"}`, (START - daysAgo * DAY) * 1000 + k);
      w.close(START - daysAgo * DAY + 60_000);
      files.push(w.file);
    }
    const size = statSync(files[1] as string).size;
    const log = captureLog();
    // Room for about two and a half recordings; the newest (index 4) is the one being written.
    const pruned = pruneRecordings(dir, { maxBytes: Math.floor(size * 2.5), keepDays: 30 }, START, { keep: files[4], log });
    expect(pruned.map((p) => [p.file, p.reason])).toEqual([
      [files[0], 'older than keepDays'],
      [files[1], 'over maxBytes'],
      [files[2], 'over maxBytes'],
    ]);
    expect(listRecordings(dir).map((r) => r.file)).toEqual([files[3], files[4]]);
    expect(log.lines.map((l) => l.fields.event)).toEqual(['recording.deleted', 'recording.deleted', 'recording.deleted']);
    expect(existsSync(files[4] as string)).toBe(true);
  });

  it('krx-signals sessions --prune applies the configured policy and says what it deleted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krx-rec-cli-'));
    const recordings = join(dir, 'data', 'recordings');
    const now = Date.now(); // the CLI prunes against the system clock
    const old = openRecordingWriter({ dir: recordings, sessionId: 'old', startMs: now - 100 * DAY, appVersion: 't', clock: createVirtualClock(START) });
    old.close(now - 100 * DAY + 60_000);
    const recent = openRecordingWriter({ dir: recordings, sessionId: 'recent', startMs: now - DAY, appVersion: 't', clock: createVirtualClock(START) });
    recent.close(now - DAY + 60_000);
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ mode: 'sim', dataDir: join(dir, 'data'), recording: { keepDays: 30 } }));
    const out = await runCli(['sessions', '--prune', '--config', config]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^deleted .*_old\.rec\.db \(.*, older than keepDays\)$/m);
    expect(out.stdout).toContain('recent');
    expect(existsSync(old.file)).toBe(false);
    expect(existsSync(recent.file)).toBe(true);
  });
});
