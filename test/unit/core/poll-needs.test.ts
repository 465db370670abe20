import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { collectNeeds, loadStrategies } from '../../../src/engine/load-strategies.js';
import { createRegistry } from '../../../src/engine/registry.js';
import { STRATEGY_API_VERSION, defineStrategy, resolveNeeds, type StrategyNeeds } from '../../../src/core/strategy.js';

const withPolls = (id: string, polls: unknown) =>
  defineStrategy({ id, version: '1.0.0', apiVersion: STRATEGY_API_VERSION, params: z.strictObject({}), needs: { polls } as StrategyNeeds, create: () => ({ onEvent() {} }) });

describe('needs.polls', () => {
  it('resolves to sorted schedules, implies the events, keeps the shortest period of a source named twice', () => {
    const def = withPolls('a', [{ source: 'investor-totals', everySeconds: 600 }, { source: 'investor-flow', everySeconds: 120 }, { source: 'investor-totals', everySeconds: 300 }]);
    const needs = resolveNeeds(def, {});
    expect(needs.polls).toEqual([{ source: 'investor-flow', everySeconds: 120 }, { source: 'investor-totals', everySeconds: 300 }]);
    expect(needs.events).toEqual(['investor-flow', 'investor-totals']);
  });

  it.each([
    [{ source: 'ranking', everySeconds: 60 }, 'needs.polls[0].source: "ranking" is not a scheduled poll'],
    [{ source: 'investor-flow', everySeconds: 4 }, 'needs.polls[0].everySeconds: expected whole seconds from 5 to 86400, got 4'],
    [{ source: 'investor-flow', everySeconds: 60.5 }, 'got 60.5'],
    [{ source: 'investor-flow', everySeconds: '60' }, 'got "60"'],
    [{ source: 'investor-flow', everySeconds: 60, every: 1 }, 'needs.polls[0]: unknown key "every"'],
    ['investor-flow', 'needs.polls[0].source: undefined'],
  ])('refuses %j with a ConfigError naming the entry', (entry, message) => {
    expect(() => resolveNeeds(withPolls('bad', [entry]), {})).toThrow(expect.objectContaining({ code: 'E_STRATEGY_DEFINITION', message: expect.stringContaining(message) }));
  });

  it('refuses a non-array, and the loader reports it under the strategy path', () => {
    expect(() => resolveNeeds(withPolls('bad', { source: 'investor-flow' }), {})).toThrow(/needs.polls must be an array/);
    const bad = withPolls('bad', [{ source: 'investor-flow', everySeconds: 1 }]);
    expect(() => loadStrategies([{ id: 'bad' }], createRegistry([bad]))).toThrow(/strategies\[0\]\.needs: .*everySeconds/);
  });

  it('the union over strategies takes the shortest period per source', () => {
    const loaded = loadStrategies([{ id: 'a' }, { id: 'b' }], createRegistry([withPolls('a', [{ source: 'program-trading', everySeconds: 60 }]), withPolls('b', [{ source: 'program-trading', everySeconds: 20 }, { source: 'investor-flow', everySeconds: 90 }])]));
    expect(collectNeeds(loaded).polls).toEqual([{ source: 'investor-flow', everySeconds: 90 }, { source: 'program-trading', everySeconds: 20 }]);
  });
});
