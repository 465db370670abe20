import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventNeedOfWireType } from '../../../src/adapters/kiwoom/realtime-types.js';
import { ConfigError } from '../../../src/core/errors.js';
import { STRATEGY_API_VERSION, defineStrategy, isCompatibleApiVersion, type AnyStrategyDefinition } from '../../../src/core/strategy.js';
import { collectNeeds, loadStrategies } from '../../../src/engine/load-strategies.js';
import { createRegistry } from '../../../src/engine/registry.js';
import { strategies } from '../../../strategies/index.js';

const registry = createRegistry(strategies);

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadStrategies', () => {
  it('loads enabled entries with defaulted, frozen params', () => {
    const loaded = loadStrategies(
      [{ id: 'watchlist-breakout', params: { windowMinutes: 5 } }, { id: 'template', enabled: false }],
      registry,
    );
    expect(loaded.map((l) => l.definition.id)).toEqual(['watchlist-breakout']);
    expect(loaded[0]!.params).toEqual({ windowMinutes: 5, volumeFactor: 2 });
    expect(Object.isFrozen(loaded[0]!.params)).toBe(true);
  });

  it('names the path of an unknown id and of bad params', () => {
    const err = configError(() =>
      loadStrategies(
        [{ id: 'watchlist-breakout', params: { windowMinutes: 'ten' } }, { id: 'nope' }, { id: 'template', params: { minChangeRat: 1 } }],
        registry,
      ),
    );
    expect(err.code).toBe('E_CONFIG_INVALID');
    expect(err.problems[0]).toMatch(/^strategies\[0\]\.params\.windowMinutes: /);
    expect(err.problems[1]).toMatch(/^strategies\[1\]\.id: unknown strategy "nope" \(known: indicative-deviation, limit-approach, program-momentum, program-surge, template, vi-release, watchlist-breakout\)/);
    expect(err.problems[2]).toMatch(/^strategies\[2\]\.params: .*minChangeRat/);
  });

  it('rejects an id listed twice', () => {
    const err = configError(() => loadStrategies([{ id: 'template' }, { id: 'template' }], registry));
    expect(err.problems).toEqual(['strategies[1].id: strategy "template" is listed twice']);
  });

  it('collects the union of needs, sorted', () => {
    const needs = collectNeeds(loadStrategies([{ id: 'program-momentum' }, { id: 'indicative-deviation' }, { id: 'watchlist-breakout' }], registry));
    expect(needs).toEqual({ events: ['indicative', 'ranking', 'trade', 'watchlist'], symbols: [], polls: [] });
  });

  it('reads API 1 aliases: needs.realtime through the wire table given, needs.data as kinds', () => {
    const legacy = defineStrategy({
      id: 'legacy',
      version: '1.0.0',
      apiVersion: STRATEGY_API_VERSION,
      params: z.strictObject({}),
      needs: { realtime: ['0B', '0D'], data: ['ranking'], symbols: ['005930'] },
      create: () => ({ onEvent: () => {} }),
    });
    const [loaded] = loadStrategies([{ id: 'legacy' }], createRegistry([legacy]), eventNeedOfWireType);
    expect(loaded!.needs).toEqual({ events: ['book', 'ranking', 'trade'], symbols: ['005930'], bars: [], polls: [] });
    // Without the broker's table the codes cannot be read: a clear config error, not a silent miss.
    expect(configError(() => loadStrategies([{ id: 'legacy' }], createRegistry([legacy]))).problems[0]).toMatch(/^strategies\[0\]\.needs: .*needs\.events/);
  });
});

describe('plug-in checks', () => {
  const good = {
    id: 'x',
    version: '1.0.0',
    apiVersion: STRATEGY_API_VERSION,
    params: z.strictObject({ a: z.number().default(1) }),
    needs: {},
    create: () => ({ onEvent: () => {} }),
  };

  it('rejects a plug-in built for another major API version', () => {
    expect(isCompatibleApiVersion('2.4.0')).toBe(true);
    expect(isCompatibleApiVersion('1.0.0')).toBe(false);
    expect(isCompatibleApiVersion('3.0.0')).toBe(false);
    expect(configError(() => defineStrategy({ ...good, apiVersion: '3.0.0' })).code).toBe('E_STRATEGY_API_VERSION');
    const handBuilt = { ...good, apiVersion: '1.0.0' } as AnyStrategyDefinition;
    expect(configError(() => createRegistry([handBuilt])).code).toBe('E_STRATEGY_API_VERSION');
  });

  it('rejects loose params, params without defaults, bad ids and duplicates', () => {
    expect(configError(() => defineStrategy({ ...good, params: z.object({ a: z.number().default(1) }) })).problems[0]).toMatch(/strict/);
    expect(configError(() => defineStrategy({ ...good, params: z.strictObject({ a: z.number() }) })).problems[0]).toMatch(/default/);
    expect(configError(() => defineStrategy({ ...good, id: 'Not Kebab' })).code).toBe('E_STRATEGY_DEFINITION');
    const x = defineStrategy(good);
    expect(configError(() => createRegistry([x, x])).problems[0]).toMatch(/twice/);
  });
});
