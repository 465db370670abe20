import { eventNeedOfWireType } from '../adapters/kiwoom/realtime-types.js';
import type { Clock } from '../core/clock.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { LifecycleRecord } from '../core/recording.js';
import { loadStrategies, type LoadedStrategy } from '../engine/load-strategies.js';
import { createRegistry } from '../engine/registry.js';
import { planKernel, type Kernel, type KernelPlan } from './kernel.js';
import { splitItemless } from './itemless.js';
import { MARKET_SOURCES, hasSource, realtimeTypesFor } from './market-sources.js';
import type { KernelSettings } from './settings.js';
import { loadAvailableStrategies, type StrategyFileProblem, type StrategySource } from './strategy-files.js';
import { changedIds, recordSet, sameSet, type ActiveStrategy, type StrategyEntry } from './strategy-set.js';

// Hot reload of the strategies (SIGHUP, `krx-signals reload`, the opt-in file watch): the strategy
// files and the `strategies` config section are read again; each strategy whose code or params
// changed is replaced (onStop, a fresh instance, onStart), the others keep running untouched, and
// the socket stays open (only the REG/REMOVE of changed real-time needs is sent). Each strategy is
// judged on its own: an invalid new version is rejected with its path and the old one keeps running.

/** A strategy (or file) the reload did not take, and why; the running version, if any, stays. */
export interface ReloadRejection {
  readonly id?: string;
  readonly file?: string;
  readonly line?: number;
  readonly message: string;
}

export interface ReloadOutcome {
  readonly trigger: string;
  /** Engine time it was applied at; null when nothing changed (or the config could not be read). */
  readonly at: number | null;
  /** Got a fresh instance and onStart (new or changed). */
  readonly started: readonly string[];
  /** Got onStop (changed or removed). */
  readonly stopped: readonly string[];
  readonly unchanged: readonly string[];
  readonly rejected: readonly ReloadRejection[];
}

export interface ReloadStats {
  /** Reloads by outcome: applied (something changed), unchanged, failed (the config could not be read). */
  readonly reloads: { applied: number; unchanged: number; failed: number };
  /** Strategies and files rejected, over all reloads. */
  readonly rejected: number;
  readonly last: ReloadOutcome | null;
}

export interface StrategyReloader {
  /** Reloads now (one at a time: a reload asked for during another runs after it). */
  reload(trigger: string): Promise<ReloadOutcome>;
  stats(): ReloadStats;
}

export interface StrategyReloaderOptions {
  readonly settings: KernelSettings;
  /** The running plan: its polls and static symbols are what a reloaded strategy may need. */
  readonly plan: KernelPlan;
  /** What the kernel started with. */
  readonly initial: readonly ActiveStrategy[];
  readonly kernel: Pick<Kernel, 'reload'>;
  /** Reads the `strategies` section again (the config file and the environment); throws a ConfigError. */
  readonly readStrategies: () => readonly StrategyEntry[];
  readonly dir: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Appends a lifecycle record to the session's recording (or nowhere). */
  readonly record: (record: LifecycleRecord) => void;
  /** Hashes of the strategy texts the recording already holds (the kernel start's). */
  readonly recorded: Set<string>;
}

export function createStrategyReloader(options: StrategyReloaderOptions): StrategyReloader {
  const { log, clock } = options;
  let active: readonly ActiveStrategy[] = options.initial;
  const stats = { reloads: { applied: 0, unchanged: 0, failed: 0 }, rejected: 0, last: null as ReloadOutcome | null };
  let queue: Promise<unknown> = Promise.resolve();
  const polls = new Set(options.plan.needs);
  const staticSymbols = new Set(options.plan.staticSymbols);
  const itemlessOf = (types: readonly string[]): string[] => splitItemless(types, options.settings.connection.itemlessTypes, false).itemless;
  const itemless = new Set(splitItemless(options.plan.realtimeTypes, options.settings.connection.itemlessTypes, options.settings.sessions !== null).itemless);

  const finish = (outcome: ReloadOutcome, kind: keyof ReloadStats['reloads']): ReloadOutcome => {
    stats.reloads[kind]++;
    stats.rejected += outcome.rejected.length;
    stats.last = outcome;
    for (const r of outcome.rejected) {
      log.warn(
        { event: 'strategy.reload-rejected', code: 'E_STRATEGY_RELOAD_REJECTED', strategy: r.id ?? null, file: r.file ?? null, line: r.line ?? null, trigger: outcome.trigger },
        `reload rejected ${r.file !== undefined ? `${r.file}${r.line === undefined ? '' : `:${r.line}`}` : `strategy "${r.id}"`}: ${r.message}${r.id !== undefined && active.some((a) => a.entry.id === r.id) ? ` (the running version of ${r.id} keeps running)` : ''}`,
      );
    }
    const fields = { event: 'strategies.reloaded', trigger: outcome.trigger, started: outcome.started, stopped: outcome.stopped, unchanged: outcome.unchanged, rejected: outcome.rejected.length };
    if (kind === 'applied') log.info({ ...fields, strategies: active.map((a) => ({ id: a.entry.id, version: a.source.definition.version, file: a.source.file, sha256: a.source.hash })) }, `strategies reloaded: started ${outcome.started.join(', ') || 'none'}, stopped ${outcome.stopped.join(', ') || 'none'}`);
    else log.info(fields, kind === 'unchanged' ? 'strategies reloaded: nothing changed' : 'strategies not reloaded');
    return outcome;
  };

  const run = async (trigger: string): Promise<ReloadOutcome> => {
    const none = { trigger, at: null, started: [], stopped: [], unchanged: active.map((a) => a.entry.id) };
    let entries: readonly StrategyEntry[];
    try {
      entries = options.readStrategies();
    } catch (err) {
      const problems = err instanceof ConfigError ? err.problems : [errorMessage(err)];
      return finish({ ...none, rejected: problems.map((message) => ({ message: `config: ${message}` })) }, 'failed');
    }
    const available = await loadAvailableStrategies(options.dir);
    const { next, rejected } = judge(entries, available.sources, available.problems);
    if (sameSet(active, next)) return finish({ ...none, rejected }, 'unchanged');

    const changed = new Set(changedIds(active, next));
    let plan: KernelPlan;
    try {
      plan = planKernel({ ...options.settings, strategies: next.map((a) => a.entry) }, undefined, next.map((a) => a.source.definition));
    } catch (err) {
      // Each strategy was checked alone; a problem of the whole set (none known) keeps everything as it was.
      return finish({ ...none, rejected: [...rejected, { message: errorMessage(err) }] }, 'failed');
    }
    const at = clock.now();
    recordSet(next, options.recorded, options.record, (set) => ({ type: 'strategies.reloaded', at, changed: [...changed], ...set }));
    const done = options.kernel.reload(plan, changed, at);
    active = next;
    return finish({ trigger, at, started: [...done.started], stopped: [...done.stopped], unchanged: [...done.unchanged], rejected }, 'applied');
  };

  /**
   * The next set: each enabled entry with the code the folder now has for it, where that code loads,
   * validates, takes the entry's params and needs only what the running pipeline has; otherwise the
   * running version (if any) stays and the rejection says why.
   */
  const judge = (
    entries: readonly StrategyEntry[],
    sources: readonly StrategySource[],
    problems: readonly StrategyFileProblem[],
  ): { next: ActiveStrategy[]; rejected: ReloadRejection[] } => {
    const rejected: ReloadRejection[] = [];
    const running = new Map(active.map((a) => [a.entry.id, a]));
    const byId = new Map(sources.map((s) => [s.definition.id, s]));
    const brokenFiles = new Set<string>();
    for (const p of problems) {
      const owner = active.find((a) => a.source.file === p.file);
      rejected.push({ ...(owner ? { id: owner.entry.id } : {}), file: p.file, ...(p.line !== undefined ? { line: p.line } : {}), message: p.message });
      brokenFiles.add(p.file);
    }
    const next: ActiveStrategy[] = [];
    const seen = new Set<string>();
    entries.forEach((entry, i) => {
      if (entry.enabled === false || seen.has(entry.id)) return;
      seen.add(entry.id);
      const old = running.get(entry.id);
      const keepOld = (message?: string, source?: StrategySource): void => {
        if (message !== undefined) rejected.push({ id: entry.id, ...(source && source.file !== 'built-in' ? { file: source.file } : {}), message });
        if (old) next.push(old);
      };
      // A running strategy whose file no longer loads keeps its version (the file's problem is listed above).
      if (old && brokenFiles.has(old.source.file)) return keepOld();
      const source = byId.get(entry.id);
      if (source === undefined) return keepOld(`strategies[${i}].id: no strategy "${entry.id}" in the folder or the built-ins`);
      let loaded: LoadedStrategy;
      try {
        [loaded] = loadStrategies([entry], createRegistry([source.definition]), eventNeedOfWireType, `strategies[${i}]`) as [LoadedStrategy];
      } catch (err) {
        return keepOld(err instanceof ConfigError ? err.problems.join('; ') : errorMessage(err), source);
      }
      const lacking = [
        ...loaded.needs.events.filter((e) => !hasSource(e)).map((e) => `needs.events names "${e}", which no source provides`),
        ...loaded.needs.events.filter((e) => isPoll(e) && !polls.has(e)).map((e) => `needs "${e}", a poll this run does not have: restart the daemon to add it`),
        ...loaded.needs.symbols.filter((s) => !staticSymbols.has(s)).map((s) => `needs.symbols adds ${s}, which this run does not subscribe: restart the daemon to add it`),
        ...itemlessOf(realtimeTypesFor(loaded.needs.events)).filter((t) => !itemless.has(t)).map((t) => `needs the item-less ${t} registration, which this run does not have: restart the daemon to add it`),
      ];
      if (lacking.length > 0) return keepOld(lacking.join('; '), source);
      next.push({ entry: { id: entry.id, enabled: true, params: entry.params ?? {} }, source });
    });
    return { next, rejected };
  };

  return {
    reload(trigger) {
      const result = queue.then(() => run(trigger));
      queue = result.catch(() => undefined);
      return result;
    },
    stats: () => ({ reloads: { ...stats.reloads }, rejected: stats.rejected, last: stats.last }),
  };
}

function isPoll(need: string): boolean {
  return Object.hasOwn(MARKET_SOURCES, need) && MARKET_SOURCES[need as keyof typeof MARKET_SOURCES].kind === 'poll';
}
