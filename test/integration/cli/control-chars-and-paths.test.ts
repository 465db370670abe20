import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { openSignalStore } from '../../../src/adapters/store/index.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { repoRoot, runCli } from '../../support/cli.js';
import { craft, fixtureCopy, setMeta } from '../../support/crafted-recordings.js';

const ESC = '\u001b';
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('control characters from files are escaped in sessions, replay and signals output', () => {
  it('sessions shows a file name and an error carrying ESC sequences as visible escapes', async () => {
    const { dir, file } = fixtureCopy();
    const recordings = join(dir, 'recs');
    mkdirSync(recordings);
    copyFileSync(file, join(recordings, `2026-11-20T090000+0900_evil${ESC}[2J${ESC}]0;pwned\u0007.rec.db`));
    writeFileSync(join(recordings, `2026-11-20T100000+0900_junk\r.rec.db`), 'not sqlite');
    const out = await runCli(['sessions', '--dir', recordings]);
    expect(out.code).toBe(0);
    expect(out.stdout).not.toMatch(RAW_CONTROL);
    expect(out.stdout).toContain('evil\\x1b[2J\\x1b]0;pwned\\x07.rec.db');
    expect(out.stdout).toContain('junk\\x0d.rec.db');
  });

  it('replay errors naming a recorded strategy id with an ESC sequence print it escaped', async () => {
    const { dir, file } = fixtureCopy();
    craft(file, (db) => {
      const config = JSON.parse((db.prepare("SELECT value FROM meta WHERE key = 'config'").get() as { value: string }).value) as { strategies: unknown[] };
      config.strategies = [{ id: `x${ESC}[31mred`, enabled: true, params: {} }];
      setMeta(db, 'config', JSON.stringify(config));
    });
    const out = await runCli(['replay', file, '--db', join(dir, 'out.db')], {}, dir);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('x\\x1b[31mred');
    expect(out.stderr).not.toMatch(RAW_CONTROL);
  });

  it('signals (table, csv, jsonl) never print a raw control character; jsonl keeps the exact value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krx-ctl-'));
    const db = join(dir, 'signals.db');
    const store = openSignalStore({ file: db, clock: createVirtualClock(0), queueLimit: 10, schedule: () => undefined });
    const symbol = `00${ESC}[2J\u009b1`;
    store.write({ id: 'sig-1', sessionId: `s${ESC}]0;t\u0007`, strategy: `st\rrat`, strategyVersion: '1.0.0', symbol, venue: 'KRX', kind: 'BUY', price: 1000, tsEvent: 1_795_132_800_000, tsRecv: 1_795_132_800_000, details: { note: `a\u0085b${ESC}` } });
    store.flush();
    store.close();
    for (const format of ['table', 'csv', 'jsonl']) {
      const out = await runCli(['signals', '--db', db, '--format', format]);
      expect(out.code).toBe(0);
      expect(out.stdout.replace(/\r\n/g, '\n'), format).not.toMatch(RAW_CONTROL);
    }
    const jsonl = await runCli(['signals', '--db', db, '--format', 'jsonl']);
    const row = JSON.parse(jsonl.stdout) as { symbol: string; details: { note: string } };
    expect(row.symbol).toBe(symbol);
    expect(row.details.note).toBe(`a\u0085b${ESC}`);
    const table = await runCli(['signals', '--db', db]);
    expect(table.stdout).toContain('00\\x1b[2J\\x9b1');
  });
});

describe('paths from config stay in the data dir; data files are private', () => {
  for (const [key, value] of [['store', { file: '../elsewhere.db' }], ['recording', { dir: '../../recs' }], ['store', { file: '/tmp/abs.db' }]] as const) {
    it(`${key} ${JSON.stringify(value)} escaping the data dir is refused at load (exit 2)`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'krx-paths-'));
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify({ mode: 'sim', dataDir: join(dir, 'data'), [key]: value }));
      const out = await runCli(['config', '--config', file]);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain(`${key}.${Object.keys(value)[0]}: ${JSON.stringify(Object.values(value)[0])} must name a path inside dataDir`);
    });
  }

  it('start creates its data files 0600 and its directories 0700 (umask set by the CLI)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krx-perms-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ mode: 'sim', dataDir: join(dir, 'data'), http: { host: '127.0.0.1', port: 0 } }));
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'krx-signals.js'), 'start', '--config', config], { cwd: dir, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.includes('"event":"daemon.started"')) resolve();
      });
      void exited.then((code) => reject(new Error(`exited ${code}`)));
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);
    const data = join(dir, 'data');
    expect(mode(data)).toBe('700');
    expect(mode(join(data, 'recordings'))).toBe('700');
    expect(mode(join(data, 'signals.db'))).toBe('600');
    for (const name of readdirSync(join(data, 'recordings'))) expect(mode(join(data, 'recordings', name)), name).toBe('600');
    expect(readFileSync(config, 'utf8').length).toBeGreaterThan(0);
  }, 60_000);
});
