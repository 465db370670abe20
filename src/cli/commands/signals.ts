import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatSignals, openSignalDatabaseReadOnly, parseSince, querySignals, SIGNAL_FORMATS, type SignalFormat, type SignalQuery } from '../../adapters/store/index.js';
import { loadConfig } from '../../config/load.js';
import { systemClock } from '../../core/clock.js';
import { UsageError } from '../../core/errors.js';
import type { Exchange } from '../../core/market.js';
import type { Command } from '../command.js';
import { escapeControl, escapeJsonControls } from '../escape.js';
import { EXIT } from '../exit-codes.js';

export const signalsCommand: Command = {
  name: 'signals',
  summary: 'print stored signals',
  usage: `Usage: krx-signals signals [--db <file>] [--since <t>] [--strategy <id>] [--symbol <code>] [--venue KRX|NXT|SOR] [--format table|jsonl|csv] [--config <file>]

Prints the signals stored in the SQLite database, oldest first. The database is opened read-only,
so this is safe while the daemon runs.

Options:
      --db <file>        the signal database (default: <dataDir>/<store.file> from the config)
      --since <t>        a duration back from now (30m, 2h, 1h30m, 7d), a KST date (2026-11-21)
                         or a date-time (2026-11-21T09:30, KST unless it ends in Z or +hh:mm)
      --strategy <id>    only this strategy
      --symbol <code>    only this stock code
      --venue <v>        only this venue: KRX, NXT or SOR (the VENUE column)
      --format <f>       table (default), jsonl or csv
  -c, --config <file>    a config file instead of config/default.json
  -h, --help             show this help`,
  options: {
    db: { type: 'string' },
    since: { type: 'string' },
    strategy: { type: 'string' },
    symbol: { type: 'string' },
    venue: { type: 'string' },
    format: { type: 'string' },
    config: { type: 'string', short: 'c' },
  },
  maxPositionals: 0,
  run: async ({ values, io }) => {
    const format = parseFormat(values.format as string | undefined);
    const query: { -readonly [K in keyof SignalQuery]: SignalQuery[K] } = {};
    if (values.since !== undefined) query.since = parseSince(values.since as string, systemClock.now());
    if (values.strategy !== undefined) query.strategy = values.strategy as string;
    if (values.symbol !== undefined) query.symbol = values.symbol as string;
    if (values.venue !== undefined) query.venue = parseVenue(values.venue as string);

    const file = values.db !== undefined ? resolve(io.cwd, values.db as string) : defaultDatabase(values.config as string | undefined, io.env, io.cwd);
    if (!existsSync(file)) {
      io.stderr.write(`krx-signals signals: no signals have been recorded yet (no database at ${file})\n`);
      return EXIT.failure;
    }
    const db = openSignalDatabaseReadOnly(file);
    try {
      const rows = querySignals(db, query);
      io.stdout.write(escapeOutput(formatSignals(rows, format), format));
      if (rows.length === 0 && format === 'table') io.stderr.write(`krx-signals signals: no signals match in ${file}\n`);
      return EXIT.ok;
    } finally {
      db.close();
    }
  },
};

/** No raw control character reaches the terminal: JSON keeps exact values (\u escapes), text shows `\xNN`. */
function escapeOutput(text: string, format: SignalFormat): string {
  if (format === 'jsonl') return escapeJsonControls(text);
  const eol = format === 'csv' ? '\r\n' : '\n';
  return text.split(eol).map(escapeControl).join(eol);
}

function parseFormat(text: string | undefined): SignalFormat {
  if (text === undefined) return 'table';
  const format = SIGNAL_FORMATS.find((f) => f === text);
  if (!format) throw new UsageError(`signals: --format expects ${SIGNAL_FORMATS.join(', ')}; got ${JSON.stringify(text)}`);
  return format;
}

function defaultDatabase(configFile: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  const config = loadConfig({ file: configFile, env, cwd });
  return resolve(config.dataDir, config.store.file);
}

function parseVenue(v: string): Exchange {
  if (v === 'KRX' || v === 'NXT' || v === 'SOR') return v;
  throw new UsageError(`signals: --venue must be KRX, NXT or SOR (got ${JSON.stringify(v.slice(0, 20))})`);
}
