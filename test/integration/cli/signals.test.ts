import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSignalStore } from '../../../src/adapters/store/index.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { runCli } from '../../support/cli.js';
import { makeSignal, makeTempDir } from '../../support/store/fixtures.js';

describe('krx-signals signals', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('krx-cli-signals-');
  });
  afterEach(() => tmp.cleanup());

  /** Writes `n` signals through the real store into `file`. */
  function writeSignals(file: string, n: number): void {
    const store = openSignalStore({ file, clock: createVirtualClock(0), queueLimit: 1000, schedule: () => {}, sessionMode: 'sim' });
    for (let i = 0; i < n; i++) store.write(makeSignal(i, i === 3 ? { details: { note: 'comma, "quote"' } } : i === 5 ? { venue: 'SOR' } : {}));
    expect(store.flush()).toBe(true);
    store.close();
  }

  /** A config whose dataDir is the temp dir. */
  function configIn(dir: string, storeFile = 'signals.db'): string {
    const file = join(dir, 'cfg.json');
    writeFileSync(file, JSON.stringify({ dataDir: dir, store: { file: storeFile } }));
    return file;
  }

  it('prints the stored signals as an aligned table from the default database of the config', async () => {
    writeSignals(join(tmp.dir, 'signals.db'), 6);
    const { code, stdout, stderr } = await runCli(['signals', '--config', configIn(tmp.dir)]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toMatch(/^TIME \(KST\)\s+STRATEGY\s+SYMBOL\s+VENUE\s+KIND\s+PRICE\s+SESSION\s+MODE\s+ID$/);
    expect(lines[1]).toMatch(/^2026-11-21 09:00:00\.000\s+breakout@1\.0\.0\s+005930\s+KRX\s+BUY\s+70000\s+s1\s+sim\s+sig-000000$/);
    expect(lines[6]).toMatch(/\s+SOR\s+BUY\s+70005\s+s1\s+sim\s+sig-000005$/);
    // Aligned: every row has its SYMBOL column where the header has it.
    const at = lines[0]?.indexOf('SYMBOL');
    for (const l of lines.slice(1)) expect(l.slice(at).startsWith('0')).toBe(true);
  });

  it('filters by strategy, symbol and since, and prints jsonl and csv', async () => {
    const db = join(tmp.dir, 'x.db');
    writeSignals(db, 12);
    const jsonl = await runCli(['signals', '--db', db, '--format', 'jsonl', '--strategy', 'breakout', '--symbol', '005930']);
    expect(jsonl.code).toBe(0);
    const rows = jsonl.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; strategy: string; symbol: string });
    expect(rows.map((r) => r.id)).toEqual(['sig-000000', 'sig-000006']);

    const sor = await runCli(['signals', '--db', db, '--format', 'jsonl', '--venue', 'SOR']);
    expect(sor.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { id: string; venue: string }).venue + ' ' + (JSON.parse(l) as { id: string }).id)).toEqual(['SOR sig-000005']);
    const badVenue = await runCli(['signals', '--db', db, '--venue', 'AL']);
    expect(badVenue).toMatchObject({ code: 2, stdout: '' });
    expect(badVenue.stderr).toMatch(/--venue must be KRX, NXT or SOR/);

    const since = await runCli(['signals', '--db', db, '--format', 'jsonl', '--since', '2026-11-21T09:00:10+09:00']);
    expect(since.stdout.trimEnd().split('\n')).toHaveLength(2);
    const sinceZ = await runCli(['signals', '--db', db, '--format', 'jsonl', '--since', '2026-11-21T00:00:10Z']);
    expect(sinceZ.stdout).toBe(since.stdout);

    const csv = await runCli(['signals', '--db', 'x.db', '--format', 'csv', '--symbol', '005930'], {}, tmp.dir); // relative to cwd
    expect(csv.code).toBe(0);
    const csvLines = csv.stdout.split('\r\n');
    expect(csvLines[0]).toBe('id,sessionId,strategy,strategyVersion,symbol,kind,price,tsEvent,tsRecv,timeKst,details,sessionMode,venue');
    expect(csvLines[1]?.endsWith(',sim,KRX')).toBe(true);
    expect(csv.stdout).toContain('"{""note"":""comma, \\""quote\\""""}"');
  });

  it('says where it looked when no database exists yet (exit 1, one line)', async () => {
    const { code, stdout, stderr } = await runCli(['signals', '--config', configIn(tmp.dir, 'nothing.db')]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`krx-signals signals: no signals have been recorded yet (no database at ${join(tmp.dir, 'nothing.db')})\n`);
  });

  it('opens read-only: the database is untouched and a non-signal file is refused', async () => {
    const db = join(tmp.dir, 'ro.db');
    writeSignals(db, 2);
    const count = (): unknown => {
      const conn = new Database(db, { readonly: true });
      try {
        return conn.prepare('SELECT count(*) FROM signals').pluck().get();
      } finally {
        conn.close();
      }
    };
    const before = count();
    expect((await runCli(['signals', '--db', db])).code).toBe(0);
    expect(count()).toBe(before);

    const other = join(tmp.dir, 'other.db');
    const conn = new Database(other);
    conn.exec('CREATE TABLE t (x)');
    conn.close();
    const bad = await runCli(['signals', '--db', other]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^krx-signals signals: not a krx-signals database.*\[E_STORE_SCHEMA\]\n$/);
  });

  it('prints the header and a note on stderr when nothing matches', async () => {
    const db = join(tmp.dir, 'y.db');
    writeSignals(db, 2);
    const { code, stdout, stderr } = await runCli(['signals', '--db', db, '--symbol', '999999']);
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/no signals match/);
  });

  it('rejects a bad --format or --since with exit 2 before touching any file', async () => {
    mkdirSync(join(tmp.dir, 'd'));
    const format = await runCli(['signals', '--db', join(tmp.dir, 'missing.db'), '--format', 'xml']);
    expect(format.code).toBe(2);
    expect(format.stderr).toBe('krx-signals: signals: --format expects table, jsonl, csv; got "xml"\n');
    const since = await runCli(['signals', '--db', join(tmp.dir, 'missing.db'), '--since', 'yesterday']);
    expect(since.code).toBe(2);
    expect(since.stderr).toMatch(/^krx-signals: --since: expected a duration/);
    expect(since.stderr.split('\n')).toHaveLength(2);
  });
});
