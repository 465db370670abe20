import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { formatProblem, loadAvailableStrategies, planWithStrategyFiles, sdkAliases, strategiesDirOf, strategyTestFiles, type StrategySource } from '../../app/strategy-files.js';
import { kernelSettings } from '../../app/settings.js';
import { loadConfig } from '../../config/load.js';
import { UsageError } from '../../core/errors.js';
import type { Command, CommandContext } from '../command.js';
import { escapeControl } from '../escape.js';
import { EXIT } from '../exit-codes.js';

export const strategiesCommand: Command = {
  name: 'strategies',
  summary: 'list the strategies available: built-in and the strategies folder (id, version, file, params)',
  usage: `Usage: krx-signals strategies [--config <file>] [--format table|json]
       krx-signals strategies test [<file>...] [--config <file>]

Lists every strategy the daemon can run: the built-in ones and the files of the strategies folder
(strategiesDir, default <dataDir>/strategies; .ts, .mts, .js, .mjs, loaded without a build), with
id, version, source file and params (JSON Schema in --format json). A file that failed to load is
listed on stderr with its path and line. Exit 2 when a strategy the config enables is missing.

\`strategies test\` runs the folder's test files (*.test.ts, .mts, .js, .mjs; or the files given), each
in a child process on node:test, with krx-signals/sdk, krx-signals/sdk/testing and zod resolved to this
installation as for strategy files. Exit 1 when a test fails.

Options:
  -c, --config <file>  a config file instead of config/default.json
      --format <f>     table (default) or json
  -h, --help           show this help`,
  options: { config: { type: 'string', short: 'c' }, format: { type: 'string' } },
  maxPositionals: 1_000,
  run: async ({ values, positionals, io }) => {
    const [sub, ...files] = positionals;
    if (sub !== undefined && sub !== 'test') throw new UsageError(`strategies: unknown subcommand "${sub}" (strategies [test])`);
    if (sub === 'test') {
      const config = loadConfig({ file: values.config as string | undefined, env: io.env, cwd: io.cwd });
      const tests = files.length > 0 ? files.map((f) => resolve(io.cwd, f)) : strategyTestFiles(strategiesDirOf(config));
      if (tests.length === 0) throw new UsageError(`strategies test: no *.test.ts files in ${strategiesDirOf(config)}`);
      let failed = 0;
      for (const file of tests) if ((await runTestFile(file, io)) !== 0) failed++;
      io.stdout.write(`${tests.length - failed} of ${tests.length} test files passed\n`);
      return failed === 0 ? EXIT.ok : EXIT.failure;
    }
    const format = (values.format as string | undefined) ?? 'table';
    if (format !== 'table' && format !== 'json') throw new UsageError(`strategies: --format must be table or json, not "${format}"`);
    const config = loadConfig({ file: values.config as string | undefined, env: io.env, cwd: io.cwd });
    const available = await loadAvailableStrategies(strategiesDirOf(config));
    const rows = available.sources.map((s) => describe(s));
    if (format === 'json') {
      io.stdout.write(`${JSON.stringify({ dir: available.dir, strategies: rows, problems: available.problems }, null, 2)}\n`);
    } else {
      io.stdout.write(table(rows, io.cwd));
      io.stdout.write(`(strategies folder: ${escapeControl(available.dir)})\n`);
    }
    for (const p of available.problems) io.stderr.write(`krx-signals: strategy file not loaded: ${escapeControl(formatProblem(p))} [E_STRATEGY_FILE]\n`);
    // The configured strategies as start checks them: a missing one exits 2 (ConfigError).
    planWithStrategyFiles(kernelSettings(config), available);
    return EXIT.ok;
  },
};

/** One test file in a child process (node:test under jiti, the SDK aliases in JITI_ALIAS); its output goes to ours. */
function runTestFile(file: string, io: CommandContext['io']): Promise<number> {
  const require = createRequire(import.meta.url);
  const jitiCli = join(dirname(require.resolve('jiti/package.json')), 'lib', 'jiti-cli.mjs');
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [jitiCli, file], {
      cwd: io.cwd,
      env: { ...io.env, JITI_ALIAS: JSON.stringify(sdkAliases()), JITI_FS_CACHE: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => io.stdout.write(d.toString()));
    child.stderr.on('data', (d: Buffer) => io.stderr.write(d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done(code ?? 1));
  });
}

interface Row {
  readonly id: string;
  readonly version: string;
  readonly apiVersion: string;
  readonly file: string;
  readonly hash: string;
  readonly description: string;
  readonly params: Record<string, unknown>;
}

function describe(s: StrategySource): Row {
  const d = s.definition;
  let params: Record<string, unknown>;
  try {
    params = z.toJSONSchema(d.params, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    params = { note: 'not representable as JSON Schema' };
  }
  return { id: d.id, version: d.version, apiVersion: d.apiVersion, file: s.file, hash: s.hash, description: d.description ?? '', params };
}

/** `name: type = default` per param, from the JSON Schema. */
function paramsSummary(schema: Record<string, unknown>): string {
  const props = (schema.properties ?? {}) as Record<string, { type?: unknown; default?: unknown; enum?: unknown[] }>;
  const parts = Object.entries(props).map(([name, p]) => {
    const type = p.enum ? p.enum.map((v) => JSON.stringify(v)).join('|') : Array.isArray(p.type) ? p.type.join('|') : String(p.type ?? 'any');
    return p.default === undefined ? `${name}: ${type}` : `${name}: ${type} = ${JSON.stringify(p.default)}`;
  });
  return parts.join(', ') || '-';
}

function table(rows: readonly Row[], cwd: string): string {
  const cells = rows.map((r) => [r.id, r.version, r.file === 'built-in' ? 'built-in' : relative(cwd, r.file) || r.file, paramsSummary(r.params)].map(escapeControl));
  const header = ['ID', 'VERSION', 'SOURCE', 'PARAMS'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i] ?? 0))).join('  ');
  return `${[line(header), ...cells.map(line)].join('\n')}\n`;
}
