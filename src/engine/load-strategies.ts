import { ConfigError } from '../core/errors.js';
import { resolveNeeds, type AnyStrategyDefinition, type StrategyNeeds } from '../core/strategy.js';
import type { StrategyRegistry } from './registry.js';

/** One `strategies[]` entry of the config. */
export interface StrategyConfigEntry {
  readonly id: string;
  readonly enabled?: boolean;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** A strategy ready to run: its definition, parsed frozen params and resolved needs. */
export interface LoadedStrategy {
  readonly definition: AnyStrategyDefinition;
  readonly params: Readonly<Record<string, unknown>>;
  readonly needs: Required<StrategyNeeds>;
}

/**
 * Resolves the enabled config entries against the registry and parses their params. Every problem is
 * collected into one ConfigError naming its path, e.g. `strategies[1].params.windowMinutes: ...`.
 * Disabled entries are checked too (a typo should not wait until someone enables it).
 */
export function loadStrategies(
  entries: readonly StrategyConfigEntry[],
  registry: StrategyRegistry,
  path = 'strategies',
): LoadedStrategy[] {
  const problems: string[] = [];
  const loaded: LoadedStrategy[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    const at = `${path}[${i}]`;
    const definition = registry.get(entry.id);
    if (definition === undefined) {
      problems.push(`${at}.id: unknown strategy "${entry.id}" (known: ${[...registry.keys()].sort().join(', ') || 'none'})`);
      return;
    }
    if (seen.has(entry.id)) {
      problems.push(`${at}.id: strategy "${entry.id}" is listed twice`);
      return;
    }
    seen.add(entry.id);
    const parsed = definition.params.safeParse(entry.params ?? {});
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const sub = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
        problems.push(`${at}.params${sub}: ${issue.message}`);
      }
      return;
    }
    if (entry.enabled === false) return;
    const params = deepFreeze(parsed.data as Record<string, unknown>);
    loaded.push(Object.freeze({ definition, params, needs: resolveNeeds(definition, params) }));
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return loaded;
}

/** The union of what the loaded strategies consume, sorted (subscriptions, polls, universe). */
export function collectNeeds(strategies: readonly LoadedStrategy[]): {
  realtimeTypes: string[];
  ranking: boolean;
  watchlist: boolean;
  symbols: string[];
} {
  const realtime = new Set<string>();
  const symbols = new Set<string>();
  let ranking = false;
  let watchlist = false;
  for (const s of strategies) {
    for (const t of s.needs.realtime) realtime.add(t);
    for (const sym of s.needs.symbols) symbols.add(sym);
    ranking ||= s.needs.data.includes('ranking');
    watchlist ||= s.needs.data.includes('watchlist');
  }
  return { realtimeTypes: [...realtime].sort(), ranking, watchlist, symbols: [...symbols].sort() };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
