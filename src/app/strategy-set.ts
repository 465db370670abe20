import type { Config } from '../config/schema.js';
import type { LifecycleRecord, RecordedStrategy, RecordedStrategySet } from '../core/recording.js';
import type { StrategySource } from './strategy-files.js';

// The set of strategies a kernel runs, as the daemon's reloader and the replay both see it: which
// code (file and sha256, or a built-in) with which params. One definition of "changed" for both, so
// a replay replaces exactly the strategies the live reload replaced.

export type StrategyEntry = Config['strategies'][number];

/** One running strategy: its config entry and the code it came from. */
export interface ActiveStrategy {
  readonly entry: StrategyEntry;
  readonly source: StrategySource;
}

/** The code and params of a strategy, as text: equal fingerprints run the same instance unchanged. */
export function fingerprint(a: ActiveStrategy): string {
  const code = a.source.file === 'built-in' ? `built-in@${a.source.definition.version}` : a.source.hash;
  return `${a.entry.id}|${code}|${canonicalJson(a.entry.params ?? {})}`;
}

/** Ids of `next` that are new or whose code or params differ from `current`'s (in `next`'s order). */
export function changedIds(current: readonly ActiveStrategy[], next: readonly ActiveStrategy[]): string[] {
  const before = new Map(current.map((a) => [a.entry.id, fingerprint(a)]));
  return next.filter((a) => before.get(a.entry.id) !== fingerprint(a)).map((a) => a.entry.id);
}

/** True when `next` runs exactly what `current` runs, in the same order. */
export function sameSet(current: readonly ActiveStrategy[], next: readonly ActiveStrategy[]): boolean {
  return current.length === next.length && current.every((a, i) => fingerprint(a) === fingerprint(next[i] as ActiveStrategy));
}

/**
 * Records a set: first a `strategy.source` record for each file text whose hash is not in `recorded`
 * yet (which then holds it), then the set's own record (`kernel.started`, `strategies.reloaded`) built
 * by `wrap` around each strategy's id, version, file, sha256 and params.
 */
export function recordSet(active: readonly ActiveStrategy[], recorded: Set<string>, record: (r: LifecycleRecord) => void, wrap: (set: RecordedStrategySet) => LifecycleRecord): void {
  const strategies: RecordedStrategy[] = active.map(({ entry, source }) => {
    if (source.file !== 'built-in' && !recorded.has(source.hash) && source.text !== undefined) {
      record({ type: 'strategy.source', sha256: source.hash, file: source.file, text: source.text });
      recorded.add(source.hash);
    }
    return { id: entry.id, version: source.definition.version, file: source.file, sha256: source.hash, params: entry.params ?? {} };
  });
  record(wrap({ strategies }));
}

/** The config entries of a recorded set (all enabled, in its order). */
export function entriesOf(set: RecordedStrategySet): StrategyEntry[] {
  return set.strategies.map((s) => ({ id: s.id, enabled: true, params: { ...s.params } }));
}

/** JSON with object keys sorted at every level: equal values, equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
