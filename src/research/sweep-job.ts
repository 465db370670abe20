import { Writable } from 'node:stream';
import { openSignalDatabaseReadOnly, querySignals } from '../adapters/store/index.js';
import { runReplay } from '../app/replay/run-replay.js';
import type { Config } from '../config/schema.js';
import { createVirtualClock } from '../core/virtual-clock.js';
import { createLogger } from '../observability/logger.js';
import type { SignalOutcome } from './forward-returns.js';
import { createMarketCollector } from './recorded-market.js';
import { buildReport, type ReportWarning } from './report.js';

/** One replay of a sweep: one recording with one parameter set. Runs on a worker thread or inline. */
export interface SweepJob {
  readonly index: number;
  readonly recording: string;
  readonly dbFile: string;
  /** The user's config with `strategies` replaced by the one strategy and this job's params. */
  readonly config: Config;
  readonly strategyId: string;
  readonly horizonsMs: readonly number[];
}

export interface SweepJobResult {
  readonly index: number;
  readonly signals: number;
  readonly divergences: number;
  readonly outcomes: readonly SignalOutcome[];
  readonly warnings: readonly ReportWarning[];
}

export async function runSweepJob(job: SweepJob): Promise<SweepJobResult> {
  // Replay chatter would interleave across threads: a sweep reports divergences itself.
  const log = createLogger({ level: 'silent', clock: createVirtualClock(0), destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  // The report's trades come from the replay's own decode of the file (read once, not twice), and the
  // chunks inflate on this thread: the sweep's other workers already keep the other cores busy.
  const market = createMarketCollector();
  const summary = await runReplay({ file: job.recording, config: job.config, strategiesFromConfig: true, only: [job.strategyId], dbFile: job.dbFile, speed: 'max', log, tap: market, inflateAhead: false });
  const recorded = market.finish(job.recording);
  const db = openSignalDatabaseReadOnly(job.dbFile);
  let records;
  try {
    records = querySignals(db, {});
  } finally {
    db.close();
  }
  const report = buildReport(records, { horizonsMs: job.horizonsMs, recordingOf: () => job.recording, marketOf: () => recorded, resamples: 0 });
  return { index: job.index, signals: records.length, divergences: summary.divergences, outcomes: report.outcomes, warnings: report.warnings };
}

