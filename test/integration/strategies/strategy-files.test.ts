import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAvailableStrategies, planWithStrategyFiles } from '../../../src/app/strategy-files.js';
import { kernelSettings } from '../../../src/app/settings.js';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/core/errors.js';
import { runStrategy, trade, T0 } from '../../../src/sdk/testing.js';
import { runBinary, runCli } from '../../support/cli.js';
import { strategyFolder } from './strategy-files.js';

describe('user strategies from a folder', () => {
  it('loads the good files without a build and reports each broken one with its path and line', async () => {
    const { dir } = strategyFolder();
    const available = await loadAvailableStrategies(dir);
    const files = Object.fromEntries(available.sources.map((s) => [s.definition.id, s.file]));
    expect(files['big-move']).toBe(join(dir, 'big-move.ts'));
    expect(files.quiet).toBe(join(dir, 'quiet.mjs'));
    expect(files.template).toBe('built-in');
    expect(available.sources.find((s) => s.definition.id === 'big-move')?.hash).toMatch(/^[0-9a-f]{64}$/);
    const problems = Object.fromEntries(available.problems.map((p) => [p.file.slice(dir.length + 1), p]));
    expect(Object.keys(problems).sort()).toEqual(['dup.js', 'loose.ts', 'syntax.ts', 'throws.mts']);
    expect(problems['syntax.ts']).toMatchObject({ line: 3, message: expect.stringMatching(/Unexpected token/) });
    expect(problems['throws.mts']).toMatchObject({ line: 4, message: 'boom at import 1' });
    expect(problems['loose.ts']).toMatchObject({ line: 3, message: expect.stringMatching(/params must be strict/) });
    expect(problems['dup.js']).toMatchObject({ line: 4, message: 'duplicate strategy id "template" (also in built-in)' });
  });

  it('a loaded TypeScript file runs: events in, signals out', async () => {
    const { dir } = strategyFolder();
    const available = await loadAvailableStrategies(dir);
    const bigMove = available.definitions.find((d) => d.id === 'big-move');
    const { signals } = runStrategy(bigMove!, { params: { minChangeRate: 5 }, events: [trade({ price: 100, changeRate: 4.9, ts: T0 }), trade({ price: 105, changeRate: 5, ts: T0 + 1000 })] });
    expect(signals.map((s) => [s.strategy, s.kind, s.price])).toEqual([['big-move', 'ALERT', 105]]);
  });

  it('a configured strategy that is missing stops the boot and names the files that failed', async () => {
    const { dataDir, dir } = strategyFolder();
    const config = loadConfig({ file: undefined, env: { KRX_DATA_DIR: dataDir }, cwd: dataDir });
    const settings = kernelSettings({ ...config, strategies: [{ id: 'big-move', enabled: true, params: {} }, { id: 'loose', enabled: true, params: {} }] });
    const available = await loadAvailableStrategies(dir);
    let error: unknown;
    try {
      planWithStrategyFiles(settings, available);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems[0]).toMatch(/^strategies\[1\]\.id: unknown strategy "loose"/);
    expect(problems).toContain(`strategy file not loaded: ${join(dir, 'loose.ts')}:3: strategy "loose": params must be strict (z.strictObject) so typos in config are rejected`);
    // Without the missing one, the plan holds the user's strategy.
    const plan = planWithStrategyFiles(kernelSettings({ ...config, strategies: [{ id: 'big-move', enabled: true, params: { minChangeRate: 3 } }] }), available);
    expect(plan.strategies.map((s) => [s.definition.id, s.params])).toEqual([['big-move', { minChangeRate: 3 }]]);
  });

  it('krx-signals strategies lists id, version, source file and params; broken files on stderr (in-process)', async () => {
    const { dataDir } = strategyFolder();
    const out = await runCli(['strategies'], { KRX_DATA_DIR: dataDir }, dataDir);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^ID\s+VERSION\s+SOURCE\s+PARAMS$/m);
    expect(out.stdout).toMatch(/^big-move\s+1\.0\.0\s+strategies\/big-move\.ts\s+minChangeRate: number = 5$/m);
    expect(out.stdout).toMatch(/^quiet\s+0\.1\.0\s+strategies\/quiet\.mjs\s+-$/m);
    expect(out.stdout).toMatch(/^program-momentum\s+\S+\s+built-in\s+/m);
    expect(out.stderr).toContain(`strategy file not loaded: ${join(dataDir, 'strategies', 'syntax.ts')}:3:`);
    expect(out.stderr.match(/E_STRATEGY_FILE/g)).toHaveLength(4);
    const json = await runCli(['strategies', '--format', 'json'], { KRX_DATA_DIR: dataDir }, dataDir);
    const parsed = JSON.parse(json.stdout) as { strategies: { id: string; params: { properties: Record<string, unknown> } }[] };
    expect(parsed.strategies.find((s) => s.id === 'big-move')?.params.properties).toEqual({ minChangeRate: { type: 'number', default: 5 } });
  });

  it('krx-signals config checks the folder\'s strategies as start does: enabled and present 0, missing 2', async () => {
    const { dataDir } = strategyFolder();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dataDir, 'ok.json'), JSON.stringify({ strategiesDir: 'strategies', strategies: [{ id: 'big-move', params: { minChangeRate: 2 } }] }));
    writeFileSync(join(dataDir, 'bad.json'), JSON.stringify({ strategies: [{ id: 'syntax' }] }));
    const ok = await runCli(['config', '--config', 'ok.json'], { KRX_DATA_DIR: dataDir }, dataDir);
    expect(ok.code, ok.stderr).toBe(0);
    const bad = await runCli(['config', '--config', 'bad.json'], { KRX_DATA_DIR: dataDir }, dataDir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown strategy "syntax"');
    expect(bad.stderr).toContain(`strategy file not loaded: ${join(dataDir, 'strategies', 'syntax.ts')}:3:`);
  });

  it('the real binary loads the folder from the built files (krx-signals/sdk resolves to dist)', async () => {
    const { dataDir } = strategyFolder();
    const out = await runBinary(['strategies'], { KRX_DATA_DIR: dataDir }, dataDir);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^big-move\s+1\.0\.0\s+strategies\/big-move\.ts/m);
    expect(out.stderr).toContain(`${join(dataDir, 'strategies', 'throws.mts')}:4: boom at import 1`);
    // A config enabling a broken strategy exits 2.
    const cfg = join(dataDir, 'cfg.json');
    (await import('node:fs')).writeFileSync(cfg, JSON.stringify({ strategies: [{ id: 'throws-not-here' }] }));
    const missing = await runBinary(['strategies', '--config', cfg], { KRX_DATA_DIR: dataDir }, dataDir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/unknown strategy "throws-not-here"/);
  }, 60_000);
});
