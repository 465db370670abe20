import { describe, expect, it } from 'vitest';
import { benchEnginePipeline } from '../../../bench/engine/pipeline.js';

describe('engine benchmark helper', () => {
  it('runs every trade through the three strategies and reproduces its signal count', async () => {
    const a = await benchEnginePipeline({ events: 20_000, symbols: 100 });
    const b = await benchEnginePipeline({ events: 20_000, symbols: 100 });
    expect(a.events).toBe(20_000);
    expect(a.eventsPerSecond).toBeGreaterThan(0);
    expect(a.stats.map((s) => s.id)).toEqual(['program-momentum', 'watchlist-breakout', 'indicative-deviation']);
    expect(a.stats.every((s) => s.faults === 0 && s.events > 0)).toBe(true);
    expect(a.signals).toBeGreaterThan(0);
    expect(b.signals).toBe(a.signals);
  });
});
