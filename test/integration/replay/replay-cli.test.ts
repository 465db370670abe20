import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { formatSignals, openSignalDatabaseReadOnly, querySignals } from '../../../src/adapters/store/index.js';
import { openRecordingReader } from '../../../src/adapters/recording/index.js';
import { repoRoot, runCli } from '../../support/cli.js';

/** Runs the real daemon until its logged signals span `spanMs` of market time, then kills it with SIGKILL. */
async function recordAndKill(dir: string, spanMs: number): Promise<string[]> {
  const defaults = JSON.parse(readFileSync(join(repoRoot, 'config', 'default.json'), 'utf8')) as Record<string, unknown>;
  // No ka10001 on entry: ~190 requests at start saturate the 5/s budget for 40 s, and on a loaded
  // machine event-loop lag between a grant and its send can squeeze six into the simulator's second
  // (a 1700, retried, which the replay then logs on stderr); this test is about the cut, not the budget.
  const config = { ...defaults, mode: 'sim', dataDir: join(dir, 'data'), universe: { ...(defaults.universe as object), programTopPollSeconds: 2, basicInfo: false }, http: { host: '127.0.0.1', port: 0 } };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'krx-signals.js'), 'start', '--config', join(dir, 'config.json')], {
    cwd: dir,
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ids: string[] = [];
  const times: number[] = [];
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as { event?: string; id?: string; tsEvent?: number };
      if (entry.event === 'signal' && entry.id) {
        ids.push(entry.id);
        times.push(entry.tsEvent ?? 0);
      }
      if (times.length > 0 && Math.max(...times) - Math.min(...times) >= spanMs) resolve();
    });
    void exited.then(() => reject(new Error('the daemon exited early')));
  });
  child.kill('SIGKILL');
  await exited;
  return ids;
}

describe('krx-signals replay', () => {
  it('replays a recording cut by SIGKILL up to its last commit, the same twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krx-replay-cli-'));
    const logged = await recordAndKill(dir, 4_000);
    const recordings = join(dir, 'data', 'recordings');
    const [name] = readdirSync(recordings).filter((f) => f.endsWith('.rec.db'));
    const file = join(recordings, name!);
    const reader = openRecordingReader(file);
    const committedRows = reader.frameCount();
    expect(reader.meta.end).toBeNull();
    reader.close();
    expect(committedRows).toBeGreaterThan(0);

    const listed = await runCli(['sessions', '--dir', recordings]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(name);

    const out1 = join(dir, 'replay-1.db');
    const out2 = join(dir, 'replay-2.db');
    const first = await runCli(['replay', file, '--db', out1], {}, dir);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`rows ${committedRows},`));
    const second = await runCli(['replay', file, '--db', out2], {}, dir);
    expect(second.code).toBe(0);
    const a = await runCli(['signals', '--db', out1, '--format', 'jsonl']);
    const b = await runCli(['signals', '--db', out2, '--format', 'jsonl']);
    expect(a.stdout.length).toBeGreaterThan(0);
    expect(b.stdout).toBe(a.stdout);

    // Every signal the live run committed well before the cut is reproduced exactly.
    const liveDb = openSignalDatabaseReadOnly(join(dir, 'data', 'signals.db'));
    const live = querySignals(liveDb, {});
    liveDb.close();
    const replayDb = openSignalDatabaseReadOnly(out1);
    const replayed = new Map(querySignals(replayDb, {}).map((r) => [r.id, r]));
    replayDb.close();
    const cut = Math.max(...[...replayed.values()].map((r) => r.tsRecv));
    const settled = live.filter((r) => r.tsRecv < cut - 1_000);
    expect(settled.length).toBeGreaterThan(0);
    for (const row of settled) expect(formatSignals([replayed.get(row.id)!], 'jsonl')).toBe(formatSignals([row], 'jsonl'));
    expect(logged.length).toBeGreaterThan(1);
  }, 60_000);
});
