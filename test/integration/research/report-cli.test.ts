import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { kst, writeRecording, writeSignals, type SignalSpec, type TradeSpec } from '../../support/research/build-session.js';

/**
 * A hand-computed session on the KRX calendar (09:00-15:30 KST), 2026-11-20. Every edge case of a
 * forward return occurs once: the closing auction's print at 15:30:00, an after-hours trade after
 * it, another venue's trades of the same symbol, another symbol's trades, a signal with no trade
 * after it, a signal whose symbol the recording never traded.
 */
const SESSION = '20261120083000-hand01';
const A = '005930';
const B = '000660';
const C = '035720';
const trades: TradeSpec[] = [
  { item: A, at: kst(15, 0, 0), price: 100, volume: 10 },
  { item: A, at: kst(15, 1, 0), price: 101, volume: 10 },
  { item: `${A}_NX`, at: kst(15, 1, 10), price: 204, volume: 5 },
  { item: B, at: kst(15, 9, 0), price: 50_000, volume: 3 },
  { item: A, at: kst(15, 4, 0), price: 99, volume: 10 },
  { item: A, at: kst(15, 5, 20), price: 103, volume: 10 },
  { item: B, at: kst(15, 10, 40), price: 49_500, volume: 3 },
  { item: B, at: kst(15, 14, 0), price: 50_500, volume: 3 },
  { item: A, at: kst(15, 19, 59), price: 102, volume: 10 },
  { item: C, at: kst(15, 24, 0), price: 40_000, volume: 1 },
  // The closing auction's single print, stamped at the close.
  { item: A, at: kst(15, 30, 0), price: 104, volume: 5_000 },
  { item: B, at: kst(15, 30, 0), price: 49_000, volume: 900 },
  // After-hours (시간외) and NXT's evening: never part of the KRX day.
  { item: A, at: kst(15, 45, 0), price: 110, volume: 10 },
  { item: `${A}_NX`, at: kst(15, 50, 0), price: 300, volume: 5 },
];
const signals: SignalSpec[] = [
  { id: 's1', strategy: 'alpha', kind: 'BUY', symbol: A, price: 100, at: kst(15, 0, 30) },
  { id: 's6', strategy: 'alpha', kind: 'BUY', symbol: A, venue: 'NXT', price: 200, at: kst(15, 1, 0) },
  { id: 's2', strategy: 'beta', kind: 'EXIT', symbol: B, price: 50_000, at: kst(15, 10, 0) },
  { id: 's3', strategy: 'alpha', kind: 'BUY', symbol: C, price: 40_000, at: kst(15, 25, 0) },
  { id: 's4', strategy: 'gamma', kind: 'ALERT', symbol: '068270', price: 150_000, at: kst(15, 26, 0) },
];

interface JsonReport {
  horizons: string[];
  signals: Array<{ id: string; venue: string | null; phase: string | null; entryPrice: number | null; hasTrades: boolean; mfe: number | null; mae: number | null; horizons: Record<string, { ret: number | null; signed: number | null; hit: boolean | null; cut: string | null; exitAt: number | null }> }>;
  aggregates: Array<{ dimension: string; value: string; horizon: string; signals: number; n: number; hitRate: number | null; mean: number | null; median: number | null; ciLow: number | null; ciHigh: number | null; cut: number }>;
}

describe('krx-signals report (hand-computed session)', () => {
  let dir: string;
  let recording: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'krx-report-'));
    recording = writeRecording({
      dataDir: dir,
      sessionId: SESSION,
      start: kst(14, 59),
      end: kst(16, 0),
      config: { mode: 'live', calendar: { kind: 'krx', open: '09:00', close: '15:30', holidays: [] } },
      trades,
    });
    writeSignals(join(dir, 'signals.db'), SESSION, signals);
  });

  it('computes every forward return, cut and excursion as by hand', async () => {
    const out = await runCli(['report', recording, '--format', 'json']);
    expect(out.code).toBe(0);
    const r = JSON.parse(out.stdout) as JsonReport;
    expect(r.horizons).toEqual(['1m', '5m', '15m', '60m']);
    expect(r.signals.map((s) => s.id)).toEqual(['s1', 's6', 's2', 's3', 's4']);
    const [s1, s6, s2, s3, s4] = r.signals;

    // s1 BUY 005930 (KRX) at 15:00:30 from 100: 101 (15:01:00), 103 (15:05:20), still 103 at 15:15:30;
    // 60m is cut at the close and ends on the auction print 104, not the after-hours 110 nor NXT's 204/300.
    expect(s1!.venue).toBe('KRX'); // the signal's own venue
    expect(s1!.phase).toBe('regular');
    expect(s1!.horizons['1m']).toMatchObject({ hit: true, cut: null, exitAt: kst(15, 1, 0) });
    expect(s1!.horizons['1m']!.ret).toBeCloseTo(0.01, 12);
    expect(s1!.horizons['5m']!.ret).toBeCloseTo(0.03, 12);
    expect(s1!.horizons['15m']).toMatchObject({ cut: null, exitAt: kst(15, 5, 20) });
    expect(s1!.horizons['60m']).toMatchObject({ cut: 'close', exitAt: kst(15, 30, 0), hit: true });
    expect(s1!.horizons['60m']!.ret).toBeCloseTo(0.04, 12);
    expect(s1!.mfe).toBeCloseTo(0.04, 12);
    expect(s1!.mae).toBeCloseTo(-0.01, 12);

    // s6 BUY 005930 on NXT (the signal's venue) from 200: only NXT trades, cut at the KRX close by the calendar.
    expect(s6!.venue).toBe('NXT');
    expect(s6!.horizons['1m']!.ret).toBeCloseTo(0.02, 12);
    expect(s6!.horizons['60m']).toMatchObject({ cut: 'close', exitAt: kst(15, 1, 10) });

    // s2 EXIT 000660 at 15:10:00 from 50,000: 49,500 (right), 50,500 (wrong), auction print 49,000 (right).
    expect(s2!.horizons['1m']).toMatchObject({ hit: true, cut: null });
    expect(s2!.horizons['1m']!.ret).toBeCloseTo(-0.01, 12);
    expect(s2!.horizons['1m']!.signed).toBeCloseTo(0.01, 12);
    expect(s2!.horizons['5m']).toMatchObject({ hit: false });
    expect(s2!.horizons['5m']!.signed).toBeCloseTo(-0.01, 12);
    expect(s2!.horizons['15m']).toMatchObject({ hit: false, cut: null, exitAt: kst(15, 14, 0) });
    expect(s2!.horizons['60m']).toMatchObject({ hit: true, cut: 'close', exitAt: kst(15, 30, 0) });
    expect(s2!.horizons['60m']!.signed).toBeCloseTo(0.02, 12);
    expect(s2!.mfe).toBeCloseTo(0.02, 12);
    expect(s2!.mae).toBeCloseTo(-0.01, 12);

    // s3 BUY 035720 at 15:25: its last trade was at 15:24, none after: no returns; 15m and 60m run past the close.
    expect(s3!.hasTrades).toBe(true);
    expect(Object.values(s3!.horizons).map((h) => [h.ret, h.cut])).toEqual([[null, null], [null, null], [null, 'close'], [null, 'close']]);
    expect(s3!.mfe).toBeNull();

    // s4 ALERT of a symbol the recording never traded.
    expect(s4!.hasTrades).toBe(false);
    expect(s4!.horizons['1m']!.ret).toBeNull();

    const all1m = r.aggregates.find((a) => a.dimension === 'all' && a.horizon === '1m')!;
    expect(all1m).toMatchObject({ signals: 5, n: 3, hitRate: 1, cut: 0 });
    expect(all1m.mean).toBeCloseTo((0.01 + 0.02 + 0.01) / 3, 12);
    expect(all1m.median).toBeCloseTo(0.01, 12);
    expect(all1m.ciLow!).toBeGreaterThanOrEqual(0.01 - 1e-12);
    expect(all1m.ciHigh!).toBeLessThanOrEqual(0.02 + 1e-12);
    expect(all1m.ciLow!).toBeLessThan(all1m.ciHigh!);
    const all60m = r.aggregates.find((a) => a.dimension === 'all' && a.horizon === '60m')!;
    expect(all60m).toMatchObject({ n: 3, hitRate: 1, cut: 3 });
    const beta5m = r.aggregates.find((a) => a.dimension === 'strategy' && a.value === 'beta' && a.horizon === '5m')!;
    expect(beta5m).toMatchObject({ signals: 1, n: 1, hitRate: 0, ciLow: null });
    expect(beta5m.mean).toBeCloseTo(-0.01, 12);
    const venues = r.aggregates.filter((a) => a.dimension === 'venue' && a.horizon === '1m').map((a) => [a.value, a.signals]);
    expect(venues).toEqual([['KRX', 4], ['NXT', 1]]);
    const gammaAlert = r.aggregates.find((a) => a.dimension === 'kind' && a.value === 'ALERT' && a.horizon === '1m')!;
    expect(gammaAlert).toMatchObject({ n: 0, hitRate: null, mean: null });

    // The symbol without trades is one clear line on stderr, with its code.
    expect(out.stderr).toBe(`krx-signals report: session ${SESSION}: the recording ${recording} holds no trades of 068270 (KRX): 1 signal without forward returns [E_REPORT_NO_TRADES]\n`);
  });

  it('gives the same report from the signals DB (finding the recording) as from the recording, every time', async () => {
    const fromRecording = await runCli(['report', recording, '--format', 'csv']);
    const fromDb = await runCli(['report', join(dir, 'signals.db'), '--format', 'csv']);
    const again = await runCli(['report', join(dir, 'signals.db'), '--format', 'csv']);
    expect(fromRecording.code).toBe(0);
    expect(fromDb.stdout).toBe(fromRecording.stdout);
    expect(again.stdout).toBe(fromDb.stdout);
    expect(fromDb.stdout.split('\r\n')[0]).toBe('dimension,value,horizon,signals,n,hitRate,mean,median,ciLow,ciHigh,cut');
    const table = await runCli(['report', recording, '--per-signal', '--horizons', '1m,60m']);
    expect(table.stdout).toMatch(/^TIME \(KST\) +STRATEGY +KIND +SYMBOL +VENUE +PHASE +ENTRY +1m% +60m% +MFE% +MAE% +ID$/m);
    expect(table.stdout).toMatch(/2026-11-20 15:00:30\.000 +alpha +BUY +005930 +KRX +regular +100 +\+1\.00 +\+4\.00c +\+4\.00 +-1\.00 +s1/);
  });

  it('refuses bad input with one clear line, the README exit code and nothing on stdout', async () => {
    const other = mkdtempSync(join(tmpdir(), 'krx-report-bad-'));
    // A signals DB from another (newer) version.
    const newer = join(other, 'newer.db');
    const db = new Database(newer);
    db.exec('CREATE TABLE signals (id TEXT)');
    db.pragma('user_version = 99');
    db.close();
    const a = await runCli(['report', newer]);
    expect(a).toMatchObject({ code: 1, stdout: '' });
    expect(a.stderr).toMatch(/^krx-signals report: database schema version 99 is newer than this build \(\d+\) \[E_STORE_SCHEMA\]\n$/);
    // An unreadable file.
    const junk = join(other, 'junk.db');
    writeFileSync(junk, 'this is not a database at all, just text '.repeat(50));
    const b = await runCli(['report', junk]);
    expect(b).toMatchObject({ code: 1, stdout: '' });
    expect(b.stderr).toMatch(/^krx-signals report: cannot read .*junk\.db: file is not a database \[E_RECORDING_READ\]\n$/);
    const c = await runCli(['report', join(other, 'missing.rec.db')]);
    expect(c).toMatchObject({ code: 1, stdout: '' });
    expect(c.stderr).toMatch(/no such file: .*missing\.rec\.db \[E_RECORDING_READ\]/);
    // A recording without any trade of the signals' symbols: nothing to measure.
    const empty = writeRecording({ dataDir: other, sessionId: 'notrades-1', start: kst(9, 0), end: kst(10, 0), config: { mode: 'live' }, trades: [{ item: '111111', at: kst(9, 1), price: 10, volume: 1 }] });
    writeSignals(join(other, 'signals.db'), 'notrades-1', [{ id: 'x1', strategy: 'alpha', kind: 'BUY', symbol: A, price: 100, at: kst(9, 30) }]);
    const d = await runCli(['report', empty]);
    expect(d).toMatchObject({ code: 1, stdout: '' });
    expect(d.stderr).toBe(
      `krx-signals report: session notrades-1: the recording ${empty} holds no trades of ${A} (KRX): 1 signal without forward returns [E_REPORT_NO_TRADES]\n` +
        'krx-signals report: no signal has a recorded trade to measure: nothing to report [E_REPORT_NO_TRADES]\n',
    );
    // A signals DB whose session's recording is nowhere near.
    const lone = mkdtempSync(join(tmpdir(), 'krx-report-lone-'));
    writeSignals(join(lone, 'signals.db'), 'lost-session', [{ id: 'y1', strategy: 'alpha', kind: 'BUY', symbol: A, price: 100, at: kst(9, 30) }]);
    const e = await runCli(['report', join(lone, 'signals.db')]);
    expect(e).toMatchObject({ code: 1, stdout: '' });
    expect(e.stderr).toMatch(/no recording of session lost-session in .*: pass --recordings <dir> \[E_RECORDING_READ\]/);
    // Beside a session that has its recording, the lost one is left out with a line; the rest is reported.
    writeSignals(join(dir, 'signals.db'), 'lost-session', [{ id: 'y1', strategy: 'alpha', kind: 'BUY', symbol: A, price: 100, at: kst(9, 30) }]);
    const mixed = await runCli(['report', join(dir, 'signals.db'), '--format', 'json']);
    expect(mixed.code).toBe(0);
    expect(mixed.stderr.split('\n')[0]).toMatch(/^krx-signals report: session lost-session: no recording in .*; its 1 signal is left out \[E_RECORDING_READ\]$/);
    expect((JSON.parse(mixed.stdout) as JsonReport).signals.map((s) => s.id)).toEqual(['s1', 's6', 's2', 's3', 's4']);
    const f = await runCli(['report', recording, '--horizons', '5x']);
    expect(f).toMatchObject({ code: 2, stdout: '' });
    expect(f.stderr).toMatch(/--horizons takes a list/);
  });
});
