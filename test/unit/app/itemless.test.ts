import { describe, expect, it } from 'vitest';
import { splitItemless, universeItemBudget } from '../../../src/app/itemless.js';
import { kernelSettings } from '../../../src/app/settings.js';
import { testConfig } from '../../support/config.js';

describe('item-less registrations', () => {
  it('registers 0s (session calendar) and 1h (VI needed) once with item "", everything else per item', () => {
    expect(splitItemless(['0A', '0B', '1h'], ['0s', '1h'], true)).toEqual({ perItem: ['0A', '0B'], itemless: ['0s', '1h'] });
    expect(splitItemless(['0A', '0B'], ['0s', '1h'], true)).toEqual({ perItem: ['0A', '0B'], itemless: ['0s'] });
    // Off the session calendar there is no profile to check 0s against: not wanted.
    expect(splitItemless(['0B', '1h'], ['0s', '1h'], false)).toEqual({ perItem: ['0B'], itemless: ['1h'] });
    // Configured out of the list, 1h goes per item as before.
    expect(splitItemless(['0B', '1h'], ['0s'], false)).toEqual({ perItem: ['0B', '1h'], itemless: [] });
  });

  it('takes the item-less item out of the universe budget when it counts (the default), not otherwise', () => {
    const live = kernelSettings(testConfig({}, 'live'));
    expect(live.sessions).not.toBeNull();
    expect(universeItemBudget(live, ['0B', '0A'])).toBe(189);
    const free = kernelSettings(testConfig({ connection: { itemlessCountsAsItem: false } }, 'live'));
    expect(universeItemBudget(free, ['0B', '0A'])).toBe(190);
    // The simulator's always-open calendar without VI: nothing item-less, the whole budget.
    const sim = kernelSettings(testConfig({}, 'sim'));
    expect(universeItemBudget(sim, ['0B', '0A'])).toBe(190);
    expect(universeItemBudget(sim, ['0B', '1h'])).toBe(189);
  });
});
