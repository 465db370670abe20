import { existsSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { openRecordingReader } from '../../adapters/recording/index.js';
import { defaultReplayOutput } from '../../app/replay/replay-guards.js';
import { runReplay, type ReplayProgress, type ReplaySummary } from '../../app/replay/run-replay.js';
import { deliverPending } from '../../app/notify/deliver-pending.js';
import { loadConfig } from '../../config/load.js';
import { systemClock } from '../../core/clock.js';
import { UsageError } from '../../core/errors.js';
import { createLogger } from '../../observability/logger.js';
import type { CliIo, Command } from '../command.js';
import { escapeControlLines } from '../escape.js';
import { assertOutputFor } from '../replay-output.js';
import { EXIT } from '../exit-codes.js';

export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay a recorded session through the same pipeline on a virtual clock',
  usage: `Usage: krx-signals replay <recording> [--db <out.db>] [--config <file>] [--strategy <id> ...] [--speed max|1x|10x] [--notify]

Feeds a recorded session (krx-signals sessions lists them) through the same pipeline, strategy host
and strategies as the live run, on a virtual clock: strategy timers fire at the same virtual times.
The same recording and settings always give byte-identical signals.

Without --config the strategies, parameters and code of the recorded run are used (the recording
holds the text of each strategy file it ran) and its hot reloads are applied at their instants;
with --config, the file's strategies and the folder's current files replace them for the whole
session (the loop of a strategy author: edit, replay, look at the signals).

Ctrl-C or SIGTERM stops the replay: the signals so far are committed and it exits 130. Exit 1
when a strategy was quarantined for repeated faults (the summary names it); exit 2 when
--strategy names no strategy of the run.

Options:
      --db <file>        where to write the replayed signals (default: <dataDir>/replays/<session>.db,
                         replaced on each run; a file given here is never deleted, only added to,
                         and refused when it holds another session's signals)
  -c, --config <file>    take strategies and their parameters from this config file
      --strategy <id>    run only this strategy (repeatable)
      --speed <s>        max (default), 1x (as recorded) or 10x
      --notify           send the replayed signals to the configured notification sinks,
                         marked as a replay (without it a replay never notifies)
  -h, --help             show this help`,
  options: {
    db: { type: 'string' },
    config: { type: 'string', short: 'c' },
    strategy: { type: 'string', multiple: true },
    speed: { type: 'string' },
    notify: { type: 'boolean' },
  },
  maxPositionals: 1,
  run: async ({ values, positionals, io }) => {
    const recording = positionals[0];
    if (recording === undefined) throw new UsageError('replay: which recording? (see krx-signals sessions)');
    const file = resolve(io.cwd, recording);
    const speed = parseSpeed(values.speed as string | undefined);
    const config = loadConfig({ file: values.config as string | undefined, env: io.env, cwd: io.cwd });
    if (!existsSync(file)) {
      io.stderr.write(`krx-signals replay: no recording at ${file}\n`);
      return EXIT.failure;
    }
    // Opened first: a recording that fails its checks stops the run before any file is touched.
    const reader = openRecordingReader(file);
    const sessionId = reader.meta.sessionId;
    reader.close();
    const dbFile = values.db !== undefined ? resolve(io.cwd, values.db as string) : defaultReplayOutput(config.dataDir, file);
    if (values.db === undefined) removeOwnOutput(dbFile);
    else assertOutputFor(dbFile, sessionId);
    mkdirSync(dirname(dbFile), { recursive: true, mode: 0o700 });

    const log = createLogger({ level: 'warn', clock: systemClock, destination: io.stderr as NodeJS.WritableStream });
    const progress = io.stderr.isTTY ? progressBar(io) : undefined;
    const summary = await runReplay({
      file,
      config,
      strategiesFromConfig: values.config !== undefined,
      only: (values.strategy as string[] | undefined) ?? [],
      dbFile,
      speed,
      log,
      ...(progress ? { onProgress: progress } : {}),
      ...(values.notify === true ? { notify: true } : {}),
      ...(io.stopSignal ? { signal: io.stopSignal } : {}),
    });
    if (progress) io.stderr.write('\n');
    io.stdout.write(escapeControlLines(describe(summary)));
    if (summary.interrupted) return EXIT.interrupted;
    if (values.notify === true) {
      const sinks = await deliverPending({ config, dbFile, log, maxWaitMs: 10 * 60_000 });
      for (const s of sinks) io.stdout.write(`  notify ${s.name}: ${s.delivered} delivered, ${s.depth} pending, ${s.failed} failed\n`);
      if (sinks.some((s) => s.depth > 0 || s.failed > 0)) return EXIT.failure;
    }
    return summary.quarantined.length > 0 ? EXIT.failure : EXIT.ok;
  },
};

/** The default output is replaced on each run, but only a plain file: never a link to elsewhere. */
function removeOwnOutput(dbFile: string): void {
  for (const suffix of ['', '-wal', '-shm']) {
    const path = `${dbFile}${suffix}`;
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      continue;
    }
    if (!stat.isFile()) throw new UsageError(`replay: ${path} is not a plain file; remove it or pass --db`);
    rmSync(path);
  }
}

function parseSpeed(text: string | undefined): 'max' | number {
  if (text === undefined || text === 'max') return 'max';
  const m = /^(\d+(?:\.\d+)?)x$/.exec(text);
  if (!m || Number(m[1]) <= 0) throw new UsageError(`replay: --speed takes max, 1x, 10x or another multiple such as 2.5x (got '${text}')`);
  return Number(m[1]);
}

/** events done/total, rate, ETA on one rewritten terminal line. */
function progressBar(io: CliIo): (p: ReplayProgress) => void {
  return (p) => {
    const share = p.totalRows > 0 ? Math.min(1, p.rows / p.totalRows) : 0;
    const width = 30;
    const filled = Math.round(share * width);
    const rowsPerMs = p.wallMs > 0 ? p.rows / p.wallMs : 0;
    const etaS = rowsPerMs > 0 ? Math.ceil((p.totalRows - p.rows) / rowsPerMs / 1000) : 0;
    const rate = p.wallMs > 0 ? Math.round((p.events / p.wallMs) * 1000) : 0;
    io.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${p.rows}/${p.totalRows} rows  ${p.events} events  ${rate}/s  ${p.signals} signals  ETA ${etaS}s `);
  };
}

function describe(s: ReplaySummary): string {
  const byStrategy = Object.entries(s.signalsByStrategy)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, n]) => `${id} ${n}`)
    .join(', ');
  const lines = [
    `replayed session ${s.sessionId}: ${formatDuration(s.sessionMs)} of market time in ${(s.wallMs / 1000).toFixed(1)} s`,
    `  rows ${s.rows}, frames ${s.frames}, events ${s.events} (${Math.round(s.eventsPerSecond)}/s), decode errors ${s.decodeErrors}`,
    `  signals ${s.signals}${byStrategy ? `: ${byStrategy}` : ''}`,
    ...(s.interrupted ? ['  interrupted (Ctrl-C/SIGTERM): the signals up to that point are committed'] : []),
    ...(s.quarantined.length > 0 ? [`  error: quarantined for repeated faults (E_STRATEGY_QUARANTINED): ${s.quarantined.join(', ')}; exit code 1`] : []),
    ...(s.divergences > 0 ? [`  warning: ${s.divergences} REST requests differed from the recording (E_REPLAY_DIVERGED)`] : []),
    `  written to ${s.dbFile}`,
    `  look at them: krx-signals signals --db ${s.dbFile}`,
  ];
  return `${lines.join('\n')}\n`;
}

function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(sec).padStart(2, '0')}s`;
}
