import { ConfigError } from '../core/errors.js';
import { checkStrategyDefinition, type AnyStrategyDefinition } from '../core/strategy.js';

/** Strategy definitions by id: built from the static manifest (`strategies/index.ts`). */
export type StrategyRegistry = ReadonlyMap<string, AnyStrategyDefinition>;

/**
 * Checks every definition (shape, API major version) and indexes it by id.
 * Throws ConfigError (E_STRATEGY_DEFINITION / E_STRATEGY_API_VERSION) at boot.
 */
export function createRegistry(definitions: readonly AnyStrategyDefinition[]): StrategyRegistry {
  const byId = new Map<string, AnyStrategyDefinition>();
  for (const def of definitions) {
    checkStrategyDefinition(def);
    if (byId.has(def.id)) throw new ConfigError([`strategy "${def.id}" is in the manifest twice`], 'E_STRATEGY_DEFINITION');
    byId.set(def.id, def);
  }
  return byId;
}
