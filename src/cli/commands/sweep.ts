import { join, resolve } from 'node:path';
import { openRecordingReader } from '../../adapters/recording/index.js';
import { loadConfig } from '../../config/load.js';
import { UsageError } from '../../core/errors.js';
import { parseHorizons } from '../../research/format-report.js';
import { formatSweep, SWEEP_SORT_KEYS, type SweepSortKey } from '../../research/format-sweep.js';
import { DEFAULT_HORIZONS_MS } from '../../research/report.js';
import { defaultJobs, runSweep, sweepName } from '../../research/sweep.js';
import { parseParamGrid } from '../../research/sweep-params.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'replay sessions for every combination of a strategy\'s parameters on worker threads; rank them',
  usage: `Usage: krx-signals sweep <recordings...> --strategy <id> --param key=v1,v2,... [--param ...] [--jobs N]

Replays every recording once per parameter combination (the cartesian product of the --param
lists, over the params the recorded run used) through the same pipeline as krx-signals replay, on N
worker threads, then prints the report's aggregate table of each combination and a ranking. The
same sweep prints the same bytes at any --jobs. Each combination's signals are written to a signals
DB (c01.db, c02.db, ...) in the results folder, with sweep.db holding the combinations and their
aggregates: look at them with krx-signals report <folder>/c01.db --recordings <dir>, or krx-signals ui.

Options:
      --strategy <id>     the strategy to sweep (required)
      --param <k=v,...>   a parameter and its values (repeatable; values read as numbers/booleans where they parse)
      --jobs <n>          worker threads (default: the machine's cores)
      --horizons <list>   as for report (default 1m,5m,15m,60m)
      --sort <key>        params (default: parameter-set order), mean, median, hit, n or ci-low
      --horizon <h>       the horizon the ranking reads (default: the first)
      --format <f>        table (default), json or csv (csv: the ranking only)
      --by-symbol         add per-symbol rows to each combination's table
      --out <dir>         the results folder (default <dataDir>/sweeps/<strategy>-<hash of the sweep>, replaced)
  -c, --config <file>     a config file (dataDir)
  -h, --help              show this help`,
  options: {
    strategy: { type: 'string' },
    param: { type: 'string', multiple: true },
    jobs: { type: 'string' },
    horizons: { type: 'string' },
    sort: { type: 'string' },
    horizon: { type: 'string' },
    format: { type: 'string' },
    'by-symbol': { type: 'boolean' },
    out: { type: 'string' },
    config: { type: 'string', short: 'c' },
  },
  maxPositionals: 10_000,
  run: async ({ values, positionals, io }) => {
    if (positionals.length === 0) throw new UsageError('sweep: which recordings? (see krx-signals sessions)');
    const strategyId = values.strategy as string | undefined;
    if (!strategyId) throw new UsageError('sweep: --strategy <id> is required');
    const paramSets = parseParamGrid((values.param as string[] | undefined) ?? []);
    const jobs = values.jobs === undefined ? defaultJobs() : Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256) throw new UsageError(`sweep: --jobs takes 1-256 (got '${String(values.jobs)}')`);
    const horizonsMs = values.horizons === undefined ? [...DEFAULT_HORIZONS_MS] : parseHorizons(values.horizons as string);
    if (horizonsMs === null) throw new UsageError(`sweep: --horizons takes a list such as 1m,5m (got '${String(values.horizons)}')`);
    const sort = (values.sort ?? 'params') as SweepSortKey;
    if (!SWEEP_SORT_KEYS.includes(sort)) throw new UsageError(`sweep: --sort takes ${SWEEP_SORT_KEYS.join(', ')} (got '${sort}')`);
    const horizon = values.horizon === undefined ? [horizonsMs[0]!] : parseHorizons(values.horizon as string);
    if (horizon === null || horizon.length !== 1 || !horizonsMs.includes(horizon[0]!)) throw new UsageError('sweep: --horizon must be one of the --horizons');
    const format = (values.format ?? 'table') as 'table' | 'json' | 'csv';
    if (!['table', 'json', 'csv'].includes(format)) throw new UsageError(`sweep: --format takes table, json or csv (got '${format}')`);
    const config = loadConfig({ file: values.config as string | undefined, env: io.env, cwd: io.cwd });
    const recordings = positionals.map((p) => resolve(io.cwd, p));
    // Read every recording's meta first: an unreadable one fails before any work starts.
    const sessionIds = recordings.map((file) => {
      const reader = openRecordingReader(file);
      reader.close();
      return reader.meta.sessionId;
    });
    const outDir = values.out !== undefined ? resolve(io.cwd, values.out as string) : join(config.dataDir, 'sweeps', sweepName(strategyId, sessionIds, paramSets));
    const result = await runSweep({ recordings, strategyId, paramSets, config, horizonsMs, jobs, outDir });
    for (const w of result.warnings) io.stderr.write(`krx-signals sweep: ${w.message} [${w.code}]\n`);
    if (result.divergences > 0) io.stderr.write(`krx-signals sweep: ${result.divergences} REST requests differed from the recordings (E_REPLAY_DIVERGED)\n`);
    io.stdout.write(formatSweep(result, strategyId, { sort, horizonMs: horizon[0]!, format, bySymbol: values['by-symbol'] === true }));
    return EXIT.ok;
  },
};
