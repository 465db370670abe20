import { describe, expect, it } from 'vitest';
import { kernelSettings } from '../../../src/app/settings.js';
import { kstToEpoch } from '../../../src/core/kst.js';
import { testConfig } from '../../support/config.js';

describe('kernel settings', () => {
  it('turns every duration into milliseconds, once', () => {
    const s = kernelSettings(testConfig({ universe: { programTopPollSeconds: 15, watchlistPollSeconds: 120 }, tokens: { refreshMarginSeconds: 90 }, alarms: { dataSilenceSeconds: 45 } }));
    expect(s.universe).toMatchObject({ programTopPollMs: 15_000, watchlistPollMs: 120_000 });
    expect(s.tokens.refreshMarginMs).toBe(90_000);
    expect(s.dataSilenceMs).toBe(45_000);
    expect(JSON.stringify(s)).not.toMatch(/Seconds/);
  });

  it('resolves the calendar for the mode: auto is always open on the simulator, KRX live', () => {
    const saturdayNoon = kstToEpoch(2026, 11, 21, 12, 0);
    expect(kernelSettings(testConfig({}, 'sim')).calendar.isOpen(saturdayNoon)).toBe(true);
    expect(kernelSettings(testConfig({}, 'live')).calendar.isOpen(saturdayNoon)).toBe(false);
    expect(kernelSettings(testConfig({ calendar: { kind: 'krx' } }, 'sim')).calendar.kind).toBe('krx');
  });

  it('is frozen', () => {
    const s = kernelSettings(testConfig());
    expect(Object.isFrozen(s) && Object.isFrozen(s.universe) && Object.isFrozen(s.universe.programTopMarkets)).toBe(true);
  });
});
