import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { openRecordingReader } from '../adapters/recording/index.js';
import { openSignalDatabaseReadOnly, openSignalStore, querySignals } from '../adapters/store/index.js';
import { packageRoot } from '../config/package-root.js';
import type { Config } from '../config/schema.js';
import { ConfigError, ERROR_CODES, KrxError, type ErrorCode } from '../core/errors.js';
import { createVirtualClock } from '../core/virtual-clock.js';
import { aggregate, type AggregateRow } from './aggregate.js';
import type { SignalOutcome } from './forward-returns.js';
import type { ReportWarning } from './report.js';
import type { SweepJob, SweepJobResult } from './sweep-job.js';
import { describeParams, type ParamSet } from './sweep-params.js';

/**
 * A sweep: every recording replayed with every parameter set of one strategy, on N worker threads.
 * Jobs finish in any order; results are placed by job index, so the output is the same at any N.
 * Each parameter set's signals go to one signals DB (`c01.db` ...) under the results folder, which
 * appears whole (written aside, then renamed) with a `sweep.db` of the parameter sets and aggregates.
 */
export interface SweepOptions {
  readonly recordings: readonly string[];
  readonly strategyId: string;
  readonly paramSets: readonly ParamSet[];
  readonly config: Config;
  readonly horizonsMs: readonly number[];
  readonly jobs: number;
  /** The results folder (replaced if it exists). */
  readonly outDir: string;
  /** `inline` runs the jobs one by one on this thread (tests; no build needed). */
  readonly runner?: 'threads' | 'inline';
  readonly resamples?: number;
}

export interface SweepCombination {
  readonly index: number;
  readonly params: ParamSet;
  readonly label: string;
  readonly signals: number;
  readonly dbFile: string;
  readonly aggregates: readonly AggregateRow[];
}

export interface SweepResult {
  readonly combinations: readonly SweepCombination[];
  readonly sessions: number;
  readonly divergences: number;
  readonly warnings: readonly ReportWarning[];
  readonly outDir: string;
}

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** A stable folder name for a sweep: its strategy, recordings and parameter sets. */
export function sweepName(strategyId: string, sessionIds: readonly string[], paramSets: readonly ParamSet[]): string {
  const hash = createHash('sha256').update(JSON.stringify([strategyId, sessionIds, paramSets])).digest('hex').slice(0, 10);
  return `${strategyId}-${hash}`;
}

export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const sessionIds = options.recordings.map((file) => {
    const reader = openRecordingReader(file);
    try {
      return { sessionId: reader.meta.sessionId, params: recordedParams(reader.meta.config, options.strategyId) };
    } finally {
      reader.close();
    }
  });
  const work = `${options.outDir}.partial-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // Each replay's own DB is scratch: on tmpfs where there is one, its commits cost no disk flush.
  const scratch = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'krx-sweep-'));
  try {
    const jobs: SweepJob[] = [];
    options.paramSets.forEach((set, ci) => {
      options.recordings.forEach((recording, ri) => {
        // The recorded run's params of the strategy, overlaid with the sweep's.
        const params = { ...sessionIds[ri]!.params, ...Object.fromEntries(set) };
        jobs.push({
          index: jobs.length,
          recording,
          dbFile: join(scratch, `c${ci + 1}-r${ri + 1}.db`),
          config: { ...options.config, strategies: [{ id: options.strategyId, enabled: true, params }] } as unknown as Config,
          strategyId: options.strategyId,
          horizonsMs: options.horizonsMs,
        });
      });
    });
    const results = options.runner === 'inline' ? await runInline(jobs) : await runThreads(jobs, Math.max(1, Math.min(options.jobs, jobs.length)));

    const combinations: SweepCombination[] = [];
    const warnings: ReportWarning[] = [];
    let divergences = 0;
    const perSet = options.recordings.length;
    options.paramSets.forEach((params, ci) => {
      const mine = results.slice(ci * perSet, (ci + 1) * perSet);
      const outcomes: SignalOutcome[] = mine.flatMap((r) => r.outcomes);
      for (const r of mine) {
        divergences += r.divergences;
        warnings.push(...r.warnings);
      }
      const dbFile = join(work, `c${String(ci + 1).padStart(2, '0')}.db`);
      mergeSignals(jobs.slice(ci * perSet, (ci + 1) * perSet).map((j) => j.dbFile), dbFile);
      const aggregates = aggregate(outcomes, { horizonsMs: options.horizonsMs, ...(options.resamples !== undefined ? { resamples: options.resamples } : {}) });
      combinations.push({ index: ci + 1, params, label: describeParams(params), signals: outcomes.length, dbFile: join(options.outDir, `c${String(ci + 1).padStart(2, '0')}.db`), aggregates });
    });
    writeSummary(join(work, 'sweep.db'), options.strategyId, sessionIds.map((s) => s.sessionId), combinations);
    rmSync(options.outDir, { recursive: true, force: true });
    mkdirSync(dirname(options.outDir), { recursive: true });
    renameSync(work, options.outDir);
    return { combinations, sessions: options.recordings.length, divergences, warnings, outDir: options.outDir };
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function recordedParams(config: unknown, strategyId: string): Record<string, unknown> {
  const list = (config as { strategies?: unknown } | null)?.strategies;
  if (!Array.isArray(list)) return {};
  const found = list.find((s): s is { id: string; params?: Record<string, unknown> } => typeof s === 'object' && s !== null && (s as { id?: unknown }).id === strategyId);
  return found?.params && typeof found.params === 'object' ? { ...found.params } : {};
}

async function runInline(jobs: readonly SweepJob[]): Promise<SweepJobResult[]> {
  const { runSweepJob } = await import('./sweep-job.js');
  const out: SweepJobResult[] = [];
  for (const job of jobs) out.push(await runSweepJob(job));
  return out;
}

/** The worker's compiled file: beside this one in dist/, or dist/'s copy when running from the TS sources. */
function workerFile(): URL {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return new URL('./sweep-worker.js', import.meta.url);
  const built = join(packageRoot(), 'dist', 'src', 'research', 'sweep-worker.js');
  if (!existsSync(built)) throw new KrxError('E_INVARIANT', `the sweep worker is not built (${built}): run npm run build`);
  return pathToFileURL(built);
}

interface WorkerAnswer {
  readonly ok: boolean;
  readonly result?: SweepJobResult;
  readonly index?: number;
  readonly message?: string;
  readonly code?: string | null;
}

async function runThreads(jobs: readonly SweepJob[], threads: number): Promise<SweepJobResult[]> {
  const file = workerFile();
  const results: SweepJobResult[] = new Array<SweepJobResult>(jobs.length);
  let next = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let done = 0;
      let failed = false;
      const fail = (err: Error): void => {
        if (failed) return;
        failed = true;
        reject(err);
      };
      const feed = (w: Worker): void => {
        if (failed) return;
        if (next < jobs.length) w.postMessage(jobs[next++]);
      };
      for (let i = 0; i < threads; i++) {
        const w = new Worker(file);
        workers.push(w);
        w.on('message', (answer: WorkerAnswer) => {
          if (!answer.ok || !answer.result) {
            const job = jobs[answer.index ?? 0]!;
            fail(jobError(job, answer));
            return;
          }
          results[answer.result.index] = answer.result;
          if (++done === jobs.length) resolve();
          else feed(w);
        });
        w.on('error', (err) => fail(err));
        w.on('exit', (code) => {
          if (code !== 0 && done < jobs.length) fail(new KrxError('E_INVARIANT', `a sweep worker exited with code ${code}`));
        });
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

const USAGE_CODES = new Set(['E_CONFIG_INVALID', 'E_STRATEGY_DEFINITION', 'E_CLI_USAGE']);

/** A job's failure as the main thread's error: a bad strategy id or param is bad usage (exit 2). */
function jobError(job: SweepJob, answer: WorkerAnswer): KrxError {
  const message = `replaying ${job.recording}: ${answer.message ?? 'failed'}`;
  if (answer.code && USAGE_CODES.has(answer.code)) return new ConfigError([message], answer.code as ErrorCode);
  return new KrxError(answer.code && answer.code in ERROR_CODES ? (answer.code as ErrorCode) : 'E_INVARIANT', message);
}

/** One signals DB per parameter set, rows in recording order: the same bytes of output at any --jobs. */
function mergeSignals(jobDbs: readonly string[], file: string): void {
  const store = openSignalStore({ file, clock: createVirtualClock(0), queueLimit: 10_000_000, schedule: () => undefined });
  try {
    for (const jobDb of jobDbs) {
      const db = openSignalDatabaseReadOnly(jobDb);
      try {
        for (const r of querySignals(db, {})) {
          const { detailsJson, ...rest } = r;
          store.write({ ...rest, details: JSON.parse(detailsJson) as Record<string, unknown> });
        }
      } finally {
        db.close();
      }
    }
    store.flush();
  } finally {
    store.close();
  }
}

function writeSummary(file: string, strategyId: string, sessionIds: readonly string[], combinations: readonly SweepCombination[]): void {
  const db = new Database(file);
  try {
    db.exec(`
      CREATE TABLE sweep (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE combinations (ord INTEGER PRIMARY KEY, params TEXT NOT NULL, label TEXT NOT NULL, signals INTEGER NOT NULL, db_file TEXT NOT NULL);
      CREATE TABLE aggregates (ord INTEGER NOT NULL, dimension TEXT NOT NULL, value TEXT NOT NULL, horizon_ms INTEGER NOT NULL, signals INTEGER NOT NULL, n INTEGER NOT NULL,
        hit_rate REAL, mean REAL, median REAL, ci_low REAL, ci_high REAL, cut INTEGER NOT NULL);
    `);
    db.transaction(() => {
      db.prepare('INSERT INTO sweep VALUES (?, ?)').run('strategy', strategyId);
      db.prepare('INSERT INTO sweep VALUES (?, ?)').run('sessions', JSON.stringify(sessionIds));
      const combo = db.prepare('INSERT INTO combinations VALUES (?, ?, ?, ?, ?)');
      const agg = db.prepare('INSERT INTO aggregates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      for (const c of combinations) {
        combo.run(c.index, JSON.stringify(Object.fromEntries(c.params)), c.label, c.signals, c.dbFile.split('/').at(-1)!);
        for (const a of c.aggregates) agg.run(c.index, a.dimension, a.value, a.horizonMs, a.signals, a.n, a.hitRate, a.mean, a.median, a.ciLow, a.ciHigh, a.cut);
      }
    })();
  } finally {
    db.close();
  }
}
