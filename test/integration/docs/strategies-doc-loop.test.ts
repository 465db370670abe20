import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../../support/cli.js';
import { startCli } from '../cli/helpers.js';

/**
 * docs/strategies.md "The loop" works as written: each command of its sh block, in order, in a fresh
 * working directory (`npm start` is `krx-signals start` on config/default.json).
 */
describe('docs/strategies.md: the record-replay loop, command by command', () => {
  it('start, sessions, replay, signals --db data/replays/<session>.db, replay --config --strategy --db, signals --format jsonl', async () => {
    const doc = readFileSync(join(repoRoot, 'docs', 'strategies.md'), 'utf8');
    // The commands this test runs are the documented ones.
    for (const line of ['npx krx-signals sessions', 'npx krx-signals replay data/recordings/', 'npx krx-signals signals --db data/replays/<session>.db', 'npx krx-signals replay <recording> --config my.json --strategy', '--db /tmp/mine.db', 'npx krx-signals signals --db /tmp/mine.db --format jsonl']) {
      expect(doc).toContain(line);
    }
    const cwd = mkdtempSync(join(tmpdir(), 'krx-doc-loop-'));
    // npm start: the default config, no credentials = the simulator; port 0 so parallel tests never clash.
    const daemon = startCli(['start'], { KRX_HTTP_PORT: '0' }, cwd);
    const deadline = performance.now() + 90_000;
    // Until program-momentum (the strategy replayed alone below) has signalled.
    const signalled = (): boolean => daemon.stdout().split('\n').some((l) => l.includes('"event":"signal"') && l.includes('"strategy":"program-momentum"'));
    while (!signalled() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    daemon.stop(); // Ctrl-C
    expect(await daemon.done).toBe(0);
    expect(daemon.stdout()).toContain('"event":"signal"');

    const sessions = await runCli(['sessions'], {}, cwd);
    expect(sessions.code).toBe(0);
    const [name] = readdirSync(join(cwd, 'data', 'recordings')).filter((n) => n.endsWith('.rec.db'));
    expect(sessions.stdout).toContain(name);
    const session = /_(.+)\.rec\.db$/.exec(name as string)?.[1] as string;

    const replay = await runCli(['replay', `data/recordings/${name}`], {}, cwd);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain(`look at them: krx-signals signals --db ${join(cwd, 'data', 'replays', `${session}.db`)}`);
    const recorded = await runCli(['signals', '--db', `data/replays/${session}.db`, '--format', 'jsonl'], {}, cwd);
    expect(recorded.code).toBe(0);
    expect(recorded.stdout.trim().split('\n').length).toBeGreaterThan(0);

    // The doc's config example (section 3), minus its disabled placeholder, as my.json.
    const out = join(cwd, 'mine.db');
    writeFileSync(join(cwd, 'my.json'), JSON.stringify({ strategies: [{ id: 'program-momentum' }, { id: 'watchlist-breakout', params: { windowMinutes: 10, volumeFactor: 2.5 } }] }));
    const mine = await runCli(['replay', `data/recordings/${name}`, '--config', 'my.json', '--strategy', 'program-momentum', '--db', out], {}, cwd);
    expect(mine.code, mine.stderr).toBe(0);
    const jsonl = await runCli(['signals', '--db', out, '--format', 'jsonl'], {}, cwd);
    expect(jsonl.code).toBe(0);
    expect(jsonl.stdout).not.toBe('');
    for (const line of jsonl.stdout.trim().split('\n')) expect(JSON.parse(line)).toMatchObject({ strategy: 'program-momentum', sessionId: session });
    expect(existsSync(out)).toBe(true);
  }, 180_000);

  it('a --db holding another session\'s signals is refused (exit 2), never mixed', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'krx-doc-db-'));
    const { fixtureCopy } = await import('../../support/crafted-recordings.js');
    const a = fixtureCopy('sim-calm-3min');
    const b = fixtureCopy('sim-faults-2min');
    const out = join(cwd, 'mine.db');
    expect((await runCli(['replay', a.file, '--db', out], {}, cwd)).code).toBe(0);
    expect((await runCli(['replay', a.file, '--db', out], {}, cwd)).code).toBe(0); // the same session again: added to, idempotent
    const other = await runCli(['replay', b.file, '--db', out], {}, cwd);
    expect(other.code).toBe(2);
    // The message names the session the database holds: a's (read from its golden signals).
    const { FIXTURE_DIR } = await import('../../support/record-fixtures.js');
    const held = (JSON.parse(readFileSync(join(FIXTURE_DIR, 'sim-calm-3min.signals.jsonl'), 'utf8').split('\n')[0] as string) as { sessionId: string }).sessionId;
    expect(other.stderr).toContain(`holds signals of another session (${held})`);
  }, 60_000);
});
