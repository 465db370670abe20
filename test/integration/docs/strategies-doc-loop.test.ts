import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { repoRoot, runBinary, runCli } from '../../support/cli.js';
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
    // The message names the session the file holds: a's, from its golden signals.
    const heldSession = (JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'sessions', 'sim-calm-3min.signals.jsonl'), 'utf8').split('\n')[0] as string) as { sessionId: string }).sessionId;
    expect(heldSession).toMatch(/^\d{14}-[0-9a-f]{6}$/);
    expect(other.stderr).toContain(`holds signals of another session (${heldSession})`);
  }, 60_000);
});

/** The sh block under a heading of docs/strategies.md: its commands, comments and blank lines dropped. */
function shBlock(doc: string, heading: string): string[] {
  const at = doc.indexOf(heading);
  const block = /```sh\n([\s\S]*?)```/.exec(doc.slice(at))?.[1] ?? '';
  return block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

describe("docs/strategies.md: the author's loop, command by command", () => {
  it('copy the template, list it, replay with --strategy mine (no build), signals, copy the test, strategies test, iterate', async () => {
    const doc = readFileSync(join(repoRoot, 'docs', 'strategies.md'), 'utf8');
    const commands = shBlock(doc, "## The author's loop");
    expect(commands).toEqual([
      'npm start',
      'mkdir -p data/strategies',
      'cp templates/strategy.ts data/strategies/mine.ts',
      'npx krx-signals strategies',
      'npx krx-signals replay data/recordings/<file>.rec.db --strategy mine --db /tmp/mine.db',
      'npx krx-signals signals --db /tmp/mine.db --format jsonl',
      'cp templates/strategy.test.ts data/strategies/mine.test.ts',
      'npx krx-signals strategies test',
    ]);
    const cwd = mkdtempSync(join(tmpdir(), 'krx-author-loop-'));
    // npm start's recording: a fixture session recorded by the daemon on the simulator (the first test runs npm start itself).
    mkdirSync(join(cwd, 'data', 'recordings'), { recursive: true });
    const recording = 'data/recordings/2026-11-20T090000+0900_20261120090000-34446b.rec.db';
    writeFileSync(join(cwd, recording), gunzipSync(readFileSync(join(repoRoot, 'test', 'fixtures', 'sessions', 'sim-calm-3min.rec.db.gz'))));
    const out = join(cwd, 'mine.db'); // the doc's /tmp/mine.db, kept inside this test's folder
    const cli = (args: string[]) => runBinary(args, {}, cwd);

    mkdirSync(join(cwd, 'data', 'strategies'), { recursive: true });
    copyFileSync(join(repoRoot, 'templates', 'strategy.ts'), join(cwd, 'data', 'strategies', 'mine.ts'));
    const list = await cli(['strategies']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^mine\s+1\.0\.0\s+data\/strategies\/mine\.ts\s+minChangeRate: number = 5, smaBars: integer = 5$/m);

    const replay = await cli(['replay', recording, '--strategy', 'mine', '--db', out]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toMatch(/signals \d+: mine \d+/);
    const jsonl = await cli(['signals', '--db', out, '--format', 'jsonl']);
    expect(jsonl.code).toBe(0);
    const signals = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l) as { strategy: string; kind: string });
    expect(signals.length).toBeGreaterThan(0);
    for (const s of signals) expect(s.strategy).toBe('mine');

    copyFileSync(join(repoRoot, 'templates', 'strategy.test.ts'), join(cwd, 'data', 'strategies', 'mine.test.ts'));
    const tests = await cli(['strategies', 'test']);
    expect(tests.code, tests.stdout + tests.stderr).toBe(0);
    expect(tests.stdout).toContain('# pass 2');
    expect(tests.stdout).toContain('1 of 1 test files passed');

    // Iterate: an edit that breaks the strategy's contract fails its test (exit 1), and the replay follows the edit.
    const file = join(cwd, 'data', 'strategies', 'mine.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace('minChangeRate: z.number().default(5)', 'minChangeRate: z.number().default(50)').replace("version: '1.0.0'", "version: '1.1.0'"));
    const failing = await cli(['strategies', 'test']);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('# fail 1');
    const again = await cli(['replay', recording, '--strategy', 'mine', '--db', join(cwd, 'mine-1.1.db')]);
    expect(again.code, again.stderr).toBe(0);
    const after = await cli(['signals', '--db', join(cwd, 'mine-1.1.db'), '--format', 'jsonl']);
    const kinds = after.stdout.trim() === '' ? [] : after.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { kind: string; strategyVersion: string }).kind);
    expect(kinds).not.toContain('ALERT');
  }, 120_000);
});
