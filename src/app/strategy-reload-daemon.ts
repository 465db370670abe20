import { existsSync, mkdirSync, readFileSync, renameSync, statSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { KernelPlan } from './kernel.js';
import type { AvailableStrategies } from './strategy-files.js';
import type { ReloadOutcome } from './strategy-reload.js';
import type { ActiveStrategy, StrategyEntry } from './strategy-set.js';

// The daemon's side of a reload: the set it started with, the opt-in watch, and the outcome file
// `krx-signals reload` reads after it sent SIGHUP to the pid of <dataDir>/daemon.lock.

/** The outcome of the daemon's latest reload, for `krx-signals reload`. */
export const RELOAD_OUTCOME_FILE = 'reload.json';

/** What a kernel plan runs, with the source of each strategy (the files' texts, hashes). */
export function activeStrategies(plan: KernelPlan, available: AvailableStrategies, entries: readonly StrategyEntry[]): ActiveStrategy[] {
  return plan.strategies.map((loaded) => {
    const id = loaded.definition.id;
    const source = available.sources.find((s) => s.definition === loaded.definition);
    if (source === undefined) throw new Error(`strategy "${id}": no source`);
    const entry = entries.find((e) => e.id === id && e.enabled !== false);
    return { entry: { id, enabled: true, params: entry?.params ?? {} }, source };
  });
}

/** The file the CLI reads: the daemon's session id, a sequence number per reload, the outcome. */
export interface ReloadOutcomeFile {
  readonly sessionId: string;
  readonly seq: number;
  readonly outcome: ReloadOutcome;
}

let seq = 0;

/** Writes `<dataDir>/reload.json` atomically (mode 0600); a failure is logged, never thrown. */
export function writeReloadOutcome(dataDir: string, sessionId: string, outcome: ReloadOutcome, log: Pick<Logger, 'warn'>): void {
  const file = join(dataDir, RELOAD_OUTCOME_FILE);
  const body: ReloadOutcomeFile = { sessionId, seq: ++seq, outcome };
  try {
    mkdirSync(dataDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(body)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  } catch (err) {
    log.warn({ event: 'strategy.reload-outcome-unwritten', code: 'E_STORE_WRITE', err: errorMessage(err) }, `could not write ${file}`);
  }
}

/** The latest outcome file, or null (none yet, or unreadable). */
export function readReloadOutcome(dataDir: string): ReloadOutcomeFile | null {
  try {
    const value = JSON.parse(readFileSync(join(dataDir, RELOAD_OUTCOME_FILE), 'utf8')) as ReloadOutcomeFile;
    return typeof value?.sessionId === 'string' && typeof value.seq === 'number' && typeof value.outcome === 'object' ? value : null;
  } catch {
    return null;
  }
}

export interface StrategyWatch {
  close(): void;
}

/** Quiet time after the last change before a reload: an editor's save is several events. */
export const WATCH_SETTLE_MS = 500;

/**
 * `strategiesWatch: true`: a change of a file in the strategies folder (created if missing) or of
 * the config file calls `onChange` once things settled (WATCH_SETTLE_MS on the clock).
 */
export function watchStrategies(options: { dir: string; configFile: string | null; clock: Clock; log: Logger; onChange: () => void }): StrategyWatch {
  const { clock, log } = options;
  let timer: TimerHandle | null = null;
  const changed = (): void => {
    if (timer !== null) clock.clearTimeout(timer);
    timer = clock.setTimeout(() => {
      timer = null;
      options.onChange();
    }, WATCH_SETTLE_MS);
  };
  const watchers: FSWatcher[] = [];
  const add = (path: string, filter?: (name: string | null) => boolean): void => {
    try {
      const w = watch(path, { persistent: false }, (_event, name) => {
        if (filter === undefined || filter(name)) changed();
      });
      w.on('error', (err) => log.warn({ event: 'strategy.watch-failed', code: 'E_STRATEGY_FILE', path, err: errorMessage(err) }, `watching ${path} failed`));
      watchers.push(w);
    } catch (err) {
      log.warn({ event: 'strategy.watch-failed', code: 'E_STRATEGY_FILE', path, err: errorMessage(err) }, `cannot watch ${path}`);
    }
  };
  mkdirSync(options.dir, { recursive: true });
  add(options.dir);
  // The config file's folder, filtered by its name: an editor replaces the file (a new inode) on save.
  if (options.configFile !== null && existsSync(options.configFile) && statSync(options.configFile).isFile()) {
    const name = basename(options.configFile);
    add(dirname(options.configFile), (n) => n === name);
  }
  log.info({ event: 'strategy.watch', dir: options.dir, config: options.configFile }, `watching ${options.dir} for strategy changes`);
  return {
    close() {
      if (timer !== null) clock.clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
