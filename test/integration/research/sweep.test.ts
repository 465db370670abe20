import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatSignals, openSignalDatabaseReadOnly, querySignals } from '../../../src/adapters/store/index.js';
import { loadConfig } from '../../../src/config/load.js';
import { packageRoot } from '../../../src/config/package-root.js';
import { runSweep } from '../../../src/research/sweep.js';
import { parseParamGrid } from '../../../src/research/sweep-params.js';
import { readCatalogue } from '../../../src/research/ui/catalogue.js';
import { runCli } from '../../support/cli.js';
import { FIXTURE_DIR, FIXTURES } from '../../support/record-fixtures.js';

// The worker threads run the compiled worker (dist/): `npm test` builds before it runs the tests.
const builtWorker = join(packageRoot(), 'dist', 'src', 'research', 'sweep-worker.js');

describe('krx-signals sweep', () => {
  let dir: string;
  let recordings: string[];
  beforeAll(() => {
    expect(existsSync(builtWorker), `${builtWorker} is missing: run npm run build (npm test does)`).toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'krx-sweep-'));
    mkdirSync(join(dir, 'recordings'));
    recordings = FIXTURES.map((spec) => {
      const file = join(dir, 'recordings', `${spec.name}.rec.db`);
      writeFileSync(file, gunzipSync(readFileSync(join(FIXTURE_DIR, `${spec.name}.rec.db.gz`))));
      return file;
    });
  });

  it('prints the same bytes at any --jobs, and the recorded params reproduce the live signals', async () => {
    const args = ['sweep', ...recordings, '--strategy', 'program-momentum', '--param', 'minRankClimb=3,6', '--horizons', '30s,1m', '--sort', 'mean'];
    const one = await runCli([...args, '--jobs', '1', '--out', join(dir, 'sweeps', 'one')], { KRX_DATA_DIR: dir });
    const two = await runCli([...args, '--jobs', '2', '--out', join(dir, 'sweeps', 'one')], { KRX_DATA_DIR: dir });
    expect(one.stderr).toBe('');
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(one.stdout).toMatch(/^#1 minRankClimb=3: \d+ signals/m);
    expect(one.stdout).toMatch(/^#2 minRankClimb=6: \d+ signals/m);
    expect(one.stdout).toMatch(/Ranking by mean at 30s, best first/);
    expect(readdirSync(join(dir, 'sweeps', 'one')).sort()).toEqual(['c01.db', 'c02.db', 'sweep.db']);
    expect(readdirSync(join(dir, 'sweeps'))).toEqual(['one']);

    // minRankClimb=3 is the default the fixtures ran with: the sweep's replays give the live run's signals.
    const golden = FIXTURES.flatMap((spec) => readFileSync(join(FIXTURE_DIR, `${spec.name}.signals.jsonl`), 'utf8').trim().split('\n')).filter((l) => l.includes('"strategy":"program-momentum"'));
    const db = openSignalDatabaseReadOnly(join(dir, 'sweeps', 'one', 'c01.db'));
    const c01 = formatSignals(querySignals(db, {}), 'jsonl').trim().split('\n');
    db.close();
    expect(c01.length).toBeGreaterThan(10);
    expect([...c01].sort()).toEqual([...golden].sort());
    const db2 = openSignalDatabaseReadOnly(join(dir, 'sweeps', 'one', 'c02.db'));
    const c02 = querySignals(db2, {}).length;
    db2.close();
    expect(c02).not.toBe(c01.length);

    // The results are a signals DB like any other: report finds the recordings above the sweep folder.
    const report = await runCli(['report', join(dir, 'sweeps', 'one', 'c01.db'), '--horizons', '30s,1m', '--format', 'json']);
    expect(report.code).toBe(0);
    const all30 = (JSON.parse(report.stdout) as { aggregates: Array<{ dimension: string; horizon: string; n: number; mean: number }> }).aggregates.find((a) => a.dimension === 'all' && a.horizon === '30s')!;
    const swept = JSON.parse((await runCli([...args, '--jobs', '2', '--format', 'json', '--out', join(dir, 'sweeps', 'one')], { KRX_DATA_DIR: dir })).stdout) as { combinations: Array<{ index: number; aggregates: Array<{ dimension: string; horizonMs: number; n: number; mean: number }> }> };
    const first = swept.combinations.find((c) => c.index === 1)!.aggregates.find((a) => a.dimension === 'all' && a.horizonMs === 30_000)!;
    expect(first.n).toBe(all30.n);
    expect(first.mean).toBe(all30.mean);
    // And the ui lists each parameter set's DB as a source of the sessions it replayed.
    const sources = readCatalogue(dir).sessions.map((s) => s.source);
    expect(sources.filter((s) => s.startsWith('sweeps/one/'))).toEqual(['sweeps/one/c01.db', 'sweeps/one/c02.db', 'sweeps/one/c01.db', 'sweeps/one/c02.db']);
  }, 180_000);

  it('runs the same jobs inline as on threads', async () => {
    const config = loadConfig({ env: { KRX_DATA_DIR: dir }, cwd: dir });
    const base = { recordings: recordings.slice(0, 1), strategyId: 'program-momentum', paramSets: parseParamGrid(['maxRank=20,50']), config, horizonsMs: [30_000] };
    const inline = await runSweep({ ...base, jobs: 1, runner: 'inline', outDir: join(dir, 'sweeps', 'inline') });
    const threads = await runSweep({ ...base, jobs: 2, outDir: join(dir, 'sweeps', 'threads') });
    expect(threads.combinations.map((c) => c.aggregates)).toEqual(inline.combinations.map((c) => c.aggregates));
    expect(inline.combinations.map((c) => c.signals)).toEqual(threads.combinations.map((c) => c.signals));
  }, 120_000);

  it('refuses a bad parameter or strategy with one line, exit 2, and leaves no results folder', async () => {
    const bad = await runCli(['sweep', recordings[0]!, '--strategy', 'program-momentum', '--param', 'maxRank=500', '--jobs', '2', '--out', join(dir, 'sweeps', 'bad')], { KRX_DATA_DIR: dir });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/maxRank/);
    expect(existsSync(join(dir, 'sweeps', 'bad'))).toBe(false);
    expect(readdirSync(join(dir, 'sweeps')).filter((n) => n.includes('partial'))).toEqual([]);
    const usage = await runCli(['sweep', recordings[0]!, '--param', 'x=1']);
    expect(usage).toMatchObject({ code: 2, stdout: '' });
    expect(usage.stderr).toMatch(/--strategy <id> is required/);
    const grid = parseParamGrid(['a=1,2', 'b=x,true']);
    expect(grid).toEqual([[['a', 1], ['b', 'x']], [['a', 1], ['b', true]], [['a', 2], ['b', 'x']], [['a', 2], ['b', true]]]);
  }, 60_000);
});
