import { resolve } from 'node:path';
import { openRecordingReader } from '../../adapters/recording/index.js';
import { openSignalDatabaseReadOnly, querySignals, type SignalRecord } from '../../adapters/store/index.js';
import { loadConfig } from '../../config/load.js';
import { KrxError, UsageError } from '../../core/errors.js';
import { formatReport, parseHorizons, REPORT_FORMATS, type ReportFormat } from '../../research/format-report.js';
import { inputKind, recordingDirsNear, recordingsBySession, signalDbsNear } from '../../research/locate.js';
import { buildReport, DEFAULT_HORIZONS_MS } from '../../research/report.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';

export const reportCommand: Command = {
  name: 'report',
  summary: 'forward returns of signals from the recorded trades: hit rate, mean, median, bootstrap CI',
  usage: `Usage: krx-signals report <recording|signals.db> [--horizons 1m,5m,15m,60m] [--format table|json|csv]

For every signal, the return at each horizon from the recorded trades (0B) of its symbol and venue,
the maximum favourable and adverse excursion within the longest horizon, and whether a BUY went up
or an EXIT went down; then, grouped by strategy, kind, phase, venue and symbol: count, hit rate,
mean and median return and a bootstrap 95 % interval of the mean (seeded: the same input always
prints the same report). A horizon that runs past the close (the closing auction's print included)
or past the recording's end is cut and marked.

Given a recording, its session's signals are read from the live DB of its data dir
(<dataDir>/signals.db) or else from its replay (<dataDir>/replays/<session>.db). Given a signals DB
(live, replay or sweep), each session's recording is looked up in <dbDir>/recordings, the
recordings folder of the data dir above it, and the configured <dataDir>/<recording.dir>.

Options:
      --horizons <list>     comma-separated, e.g. 1m,5m,15m,60m (default), 30s, 2h
      --format <f>          table (default), json (every signal and every group) or csv
      --per-signal          table and csv: one row per signal instead of the groups
      --db <file>           the signals DB of a recording's session
      --recordings <dir>    where a signals DB's recordings are
      --session <id>        only this session's signals
      --strategy <id>       only this strategy's signals
      --resamples <n>       bootstrap resamples (default 1000)
  -h, --help                show this help

Exit codes: 0 the report was printed (a line on stderr for each symbol without recorded trades);
1 an input is unreadable, a signals DB is of another version, no session's recording or no signals
are found (a session without its recording is left out, with a line on stderr), or no signal has a trade to measure (nothing is printed on stdout then); 2 bad usage.`,
  options: {
    horizons: { type: 'string' },
    format: { type: 'string' },
    'per-signal': { type: 'boolean' },
    db: { type: 'string' },
    recordings: { type: 'string' },
    session: { type: 'string' },
    strategy: { type: 'string' },
    resamples: { type: 'string' },
  },
  maxPositionals: 1,
  run: async ({ values, positionals, io }) => {
    const input = positionals[0];
    if (input === undefined) throw new UsageError('report: which recording or signals DB? (see krx-signals sessions)');
    const horizonsMs = values.horizons === undefined ? [...DEFAULT_HORIZONS_MS] : parseHorizons(values.horizons as string);
    if (horizonsMs === null || horizonsMs.length === 0) throw new UsageError(`report: --horizons takes a list such as 1m,5m,15m,60m (got '${String(values.horizons)}')`);
    const format = (values.format ?? 'table') as ReportFormat;
    if (!REPORT_FORMATS.includes(format)) throw new UsageError(`report: --format takes ${REPORT_FORMATS.join(', ')} (got '${format}')`);
    const resamples = values.resamples === undefined ? undefined : Number(values.resamples);
    if (resamples !== undefined && (!Number.isInteger(resamples) || resamples < 0 || resamples > 100_000)) throw new UsageError('report: --resamples takes an integer from 0 to 100000');

    const file = resolve(io.cwd, input);
    const filter = { session: values.session as string | undefined, strategy: values.strategy as string | undefined };
    const { records, recordingOf, notes } =
      inputKind(file) === 'recording'
        ? signalsOfRecording(file, values.db === undefined ? undefined : resolve(io.cwd, values.db as string), filter)
        : signalsOfDb(file, values.recordings === undefined ? undefined : resolve(io.cwd, values.recordings as string), filter, configuredRecordings(io.env, io.cwd));
    const report = buildReport(records, { horizonsMs, recordingOf, ...(resamples !== undefined ? { resamples } : {}) });
    for (const n of notes ?? []) io.stderr.write(`krx-signals report: ${n}\n`);
    for (const w of report.warnings) io.stderr.write(`krx-signals report: ${w.message} [${w.code}]\n`);
    if (report.outcomes.length > 0 && report.outcomes.every((o) => !o.hasTrades)) {
      io.stderr.write('krx-signals report: no signal has a recorded trade to measure: nothing to report [E_REPORT_NO_TRADES]\n');
      return EXIT.failure;
    }
    // Built whole before the one write: an error never leaves half a report.
    io.stdout.write(formatReport(report, format, { perSignal: values['per-signal'] === true }));
    return EXIT.ok;
  },
};

interface Filter {
  readonly session: string | undefined;
  readonly strategy: string | undefined;
}

interface Inputs {
  readonly records: SignalRecord[];
  readonly recordingOf: (sessionId: string) => string;
  /** Lines for stderr: inputs left out. */
  readonly notes?: readonly string[];
}

/** The configured recordings folder (<dataDir>/<recording.dir>), when the config loads. */
function configuredRecordings(env: Readonly<Record<string, string | undefined>>, cwd: string): string[] {
  try {
    const config = loadConfig({ env, cwd });
    return [resolve(config.dataDir, config.recording.dir)];
  } catch {
    return [];
  }
}

function readSignals(dbFile: string, query: { sessionId?: string; strategy?: string }): SignalRecord[] {
  const db = openSignalDatabaseReadOnly(dbFile);
  try {
    return querySignals(db, query);
  } finally {
    db.close();
  }
}

function signalsOfRecording(file: string, dbFile: string | undefined, filter: Filter): Inputs {
  const reader = openRecordingReader(file);
  const sessionId = reader.meta.sessionId;
  reader.close();
  if (filter.session !== undefined && filter.session !== sessionId) throw new UsageError(`report: the recording is of session ${sessionId}, not ${filter.session}`);
  const candidates = dbFile !== undefined ? [dbFile] : signalDbsNear(file, sessionId);
  if (candidates.length === 0) {
    throw new KrxError('E_RECORDING_READ', `no signals DB found for session ${sessionId} (looked for signals.db and replays/${sessionId}.db beside the recordings folder): pass --db <file>`);
  }
  const query = { sessionId, ...(filter.strategy !== undefined ? { strategy: filter.strategy } : {}) };
  let records: SignalRecord[] = [];
  for (const db of candidates) {
    records = readSignals(db, query);
    if (records.length > 0) break;
  }
  return { records, recordingOf: () => file };
}

function signalsOfDb(dbFile: string, dir: string | undefined, filter: Filter, configured: readonly string[]): Inputs {
  const records = readSignals(dbFile, {
    ...(filter.session !== undefined ? { sessionId: filter.session } : {}),
    ...(filter.strategy !== undefined ? { strategy: filter.strategy } : {}),
  });
  const dirs = dir !== undefined ? [dir] : [...new Set([...recordingDirsNear(dbFile), ...configured])];
  const found = recordingsBySession(dirs);
  const sessions = [...new Set(records.map((r) => r.sessionId))].sort();
  const missing = sessions.filter((s) => !found.has(s));
  const where = `in ${dirs.join(' or ')}: pass --recordings <dir>`;
  // A long-lived DB outlives pruned recordings: those sessions are left out, each with a line.
  if (missing.length > 0 && missing.length === sessions.length) {
    throw new KrxError('E_RECORDING_READ', `no recording of session${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${where}`);
  }
  const notes = missing.map((s) => {
    const n = records.filter((r) => r.sessionId === s).length;
    return `session ${s}: no recording ${where}; its ${n} signal${n === 1 ? ' is' : 's are'} left out [E_RECORDING_READ]`;
  });
  return { records: records.filter((r) => found.has(r.sessionId)), recordingOf: (s) => found.get(s)!, notes };
}
