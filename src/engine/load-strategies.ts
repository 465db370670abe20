import { ConfigError } from '../core/errors.js';
import { deepFreeze } from '../core/deep-freeze.js';
import type { EventNeed } from '../core/market.js';
import { resolveNeeds, type AnyStrategyDefinition, type PollNeed, type ResolvedNeeds, type WireTypeAlias } from '../core/strategy.js';
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
  readonly needs: ResolvedNeeds;
}

/**
 * Resolves the enabled config entries against the registry and parses their params. Every problem is
 * collected into one ConfigError naming its path, e.g. `strategies[1].params.windowMinutes: ...`.
 * Disabled entries are checked too (a typo should not wait until someone enables it). `wireAlias`
 * resolves API 1's `needs.realtime` codes (the app passes the broker adapter's table).
 */
export function loadStrategies(
  entries: readonly StrategyConfigEntry[],
  registry: StrategyRegistry,
  wireAlias?: WireTypeAlias,
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
    let needs: ResolvedNeeds;
    try {
      needs = resolveNeeds(definition, params, wireAlias);
    } catch (err) {
      problems.push(`${at}.needs: ${err instanceof ConfigError ? err.problems.join('; ') : String(err)}`);
      return;
    }
    loaded.push(Object.freeze({ definition, params, needs: deepFreeze(needs) }));
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return loaded;
}

/**
 * The union of what the loaded strategies consume, sorted (sources, subscriptions, universe); poll
 * schedules by source, the shortest period any strategy asked for.
 */
export function collectNeeds(strategies: readonly LoadedStrategy[]): { events: EventNeed[]; symbols: string[]; polls: PollNeed[] } {
  const events = new Set<EventNeed>();
  const symbols = new Set<string>();
  const every = new Map<PollNeed['source'], number>();
  for (const s of strategies) {
    for (const e of s.needs.events) events.add(e);
    for (const sym of s.needs.symbols) symbols.add(sym);
    for (const p of s.needs.polls ?? []) every.set(p.source, Math.min(every.get(p.source) ?? Infinity, p.everySeconds));
  }
  const polls = [...every].sort(([a], [b]) => (a < b ? -1 : 1)).map(([source, everySeconds]) => ({ source, everySeconds }));
  return { events: [...events].sort(), symbols: [...symbols].sort(), polls };
}
