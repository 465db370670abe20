import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSignalDatabaseReadOnly, querySignals } from '../../../src/adapters/store/index.js';
import { repoRoot, runCli } from '../../support/cli.js';
import { craft, fixtureCopy, restampFrame, setMeta } from '../../support/crafted-recordings.js';

/** A config whose data dir is inside `dir` (replay's default output goes there). */
function configIn(dir: string): string {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ dataDir: join(dir, 'data') }));
  return file;
}

describe('crafted recordings (files from elsewhere are hostile)', () => {
  it('a session_id of ../../victim never names a path: the recording is refused and victim.db is untouched', async () => {
    const { dir, file } = fixtureCopy();
    const victim = join(dir, 'victim.db');
    writeFileSync(victim, 'precious');
    craft(file, (db) => setMeta(db, 'session_id', '../../victim'));
    const out = await runCli(['replay', file, '--config', configIn(dir)], {}, dir);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('E_RECORDING_READ');
    expect(out.stderr).toContain('session_id');
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });

  it('the default output is named after the recording file, inside <dataDir>/replays', async () => {
    const { dir, file } = fixtureCopy();
    const out = await runCli(['replay', file, '--config', configIn(dir)], {}, dir);
    expect(out.code).toBe(0);
    expect(existsSync(join(dir, 'data', 'replays', 'sim-faults-2min.db'))).toBe(true);
  }, 60_000);

  it('a frame stamped in the year 3000 is refused at once instead of spinning the virtual clock', async () => {
    const { dir, file } = fixtureCopy();
    craft(file, (db) => restampFrame(db, 1, 0, Date.UTC(3000, 0, 1) * 1000));
    const started = performance.now();
    const out = await runCli(['replay', file, '--db', join(dir, 'out.db')], {}, dir);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('stamped outside the session');
    expect(out.stderr).toContain('E_RECORDING_READ');
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('a frame stamped a day after the recorded end is refused (a recorded second cannot cost hours)', async () => {
    const { dir, file } = fixtureCopy();
    craft(file, (db) => {
      const end = Number((db.prepare("SELECT value FROM meta WHERE key = 'end'").get() as { value: string }).value);
      const last = db.prepare('SELECT max(first_seq) FROM chunks').pluck().get() as number;
      restampFrame(db, last, 0, (end + 86_400_000) * 1000);
    });
    const out = await runCli(['replay', file, '--db', join(dir, 'out.db')], {}, dir);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('stamped outside the session');
  });

  it('a recorded poll period of 1e-6 s is refused with the setting named', async () => {
    const { dir, file } = fixtureCopy();
    craft(file, (db) => {
      const config = JSON.parse((db.prepare("SELECT value FROM meta WHERE key = 'config'").get() as { value: string }).value) as { universe: Record<string, unknown> };
      config.universe.programTopPollSeconds = 1e-6;
      setMeta(db, 'config', JSON.stringify(config));
    });
    const started = performance.now();
    const out = await runCli(['replay', file, '--db', join(dir, 'out.db')], {}, dir);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('universe.programTopPollSeconds must be between 1 and 86400');
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('meta values are checked strictly: start in the year 3000, control characters, huge chunk counts', async () => {
    const cases: Array<[string, (db: import('better-sqlite3').Database) => void, string]> = [
      ['start', (db) => setMeta(db, 'start', String(Date.UTC(3000, 0, 1))), 'start must be an epoch-ms time'],
      ['start', (db) => setMeta(db, 'start', '1e300'), 'start must be an epoch-ms time'],
      ['seed', (db) => setMeta(db, 'seed', 'a\u001b[2Jb'), 'seed must be at most 200 printable characters'],
      ['format', (db) => setMeta(db, 'format_version', '2.5'), 'format_version'],
      ['chunk', (db) => db.prepare('UPDATE chunks SET count = 100000000 WHERE first_seq = 1').run(), 'impossible frame count'],
    ];
    for (const [, edit, message] of cases) {
      const { dir, file } = fixtureCopy();
      craft(file, edit);
      const out = await runCli(['replay', file, '--db', join(dir, 'out.db')], {}, dir);
      expect(out.code, message).toBe(1);
      expect(out.stderr).toContain(message);
    }
  });
});

describe('replay and config check what they are asked to run', () => {
  it('replay --strategy nope exits 2 naming the strategies of the run', async () => {
    const { dir, file } = fixtureCopy();
    const out = await runCli(['replay', file, '--strategy', 'nope', '--db', join(dir, 'out.db')], {}, dir);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--strategy nope: not a strategy of this run \(it has: .*program-momentum/);
    expect(existsSync(join(dir, 'out.db'))).toBe(false);
  });

  it('krx-signals config refuses unknown strategies, bad params and duplicates as start does (exit 2)', async () => {
    const { dir } = fixtureCopy();
    const write = (strategies: unknown): string => {
      const file = join(dir, `c-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify({ mode: 'sim', strategies }));
      return file;
    };
    const unknown = await runCli(['config', '--config', write([{ id: 'nope' }])], {}, dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('strategies[0].id: unknown strategy "nope"');
    const dup = await runCli(['config', '--config', write([{ id: 'program-momentum' }, { id: 'program-momentum' }])], {}, dir);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain('listed twice');
    const params = await runCli(['config', '--config', write([{ id: 'program-momentum', params: { maxRank: 'many' } }])], {}, dir);
    expect(params.code).toBe(2);
    expect(params.stderr).toContain('strategies[0].params.maxRank');
    const good = await runCli(['config', '--config', write([{ id: 'program-momentum' }])], {}, dir);
    expect(good.code).toBe(0);
  });

  it('the first Ctrl-C stops a replay: it commits what it has and exits 130', async () => {
    const { dir, file } = fixtureCopy('sim-calm-3min');
    mkdirSync(join(dir, 'out'));
    const out = join(dir, 'out', 'replayed.db');
    // 5x: the three recorded minutes would take 36 s; the first signals come 30 recorded seconds in.
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'krx-signals.js'), 'replay', file, '--speed', '5x', '--db', out], {
      cwd: dir,
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Wait until the replay has written its output (the kernel ran), then one SIGINT.
    const deadline = performance.now() + 30_000;
    while (!existsSync(out) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 12_000));
    const sentAt = performance.now();
    child.kill('SIGINT');
    const code = await exited;
    expect(code, stderr).toBe(130);
    expect(performance.now() - sentAt).toBeLessThan(5000);
    expect(stdout).toContain('interrupted (Ctrl-C/SIGTERM)');
    expect(stderr).not.toContain('second');
    const db = openSignalDatabaseReadOnly(out);
    const rows = querySignals(db, {});
    db.close();
    const reported = Number(/signals (\d+)/.exec(stdout)?.[1]);
    expect(rows.length).toBe(reported);
    expect(rows.length).toBeGreaterThan(0);
  }, 60_000);
});
