import { afterEach, describe, expect, it } from 'vitest';
import { programTop } from '../../../src/adapters/kiwoom/program-top.js';
import { fileConfigSchema } from '../../../src/config/schema.js';
import { kiwoomStack, startSim } from './support.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('universe.programTopN: the real ka90003 answers 150 rows, the universe takes the top N', () => {
  it('defaults to 50 and keeps the ranking order', async () => {
    expect(fileConfigSchema.parse({}).universe.programTopN).toBe(50);
    const { sim, clock } = await startSim();
    const k = kiwoomStack(sim, clock);
    closers.push(async () => {
      await k.close();
      await sim.close();
    });
    const event = await programTop(k.api, 'P00101', fileConfigSchema.parse({}).universe.programTopN);
    expect(event.entries).toHaveLength(50);
    expect(event.entries.map((e) => e.symbol)).toEqual(sim.faults.programRanking('P00101', 50).map((r) => r.code));
    const twenty = await programTop(k.api, 'P10102', 20);
    expect(twenty.entries.map((e) => e.rank)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const all = await programTop(k.api, 'P10102', 1000);
    expect(all.entries).toHaveLength(150);
  });
});
