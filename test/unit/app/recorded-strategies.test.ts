import { describe, expect, it } from 'vitest';
import { loadRecordedStrategies, sha256Of } from '../../../src/app/strategy-files.js';
import { changedIds, recordSet, type ActiveStrategy } from '../../../src/app/strategy-set.js';
import type { LifecycleRecord, RecordedStrategySet } from '../../../src/core/recording.js';

const text = `import { z } from 'zod';
import { STRATEGY_API_VERSION, defineStrategy } from 'krx-signals/sdk';
export default defineStrategy({
  id: 'mine', version: '1.2.3', apiVersion: STRATEGY_API_VERSION, params: z.strictObject({}),
  needs: { events: ['trade'] },
  create: () => ({ onEvent: () => undefined }),
});
`;
const file = '/somewhere/strategies/mine.ts';
const set: RecordedStrategySet = { strategies: [{ id: 'mine', version: '1.2.3', file, sha256: sha256Of(text), params: {} }] };

describe('recorded strategy code', () => {
  it('loads a recorded file from its text, never the folder (the path need not exist)', async () => {
    const [source] = await loadRecordedStrategies(set, new Map([[sha256Of(text), text]]));
    expect(source?.definition.id).toBe('mine');
    expect(source?.definition.version).toBe('1.2.3');
    expect(source?.hash).toBe(sha256Of(text));
  });

  it('a text the recording lacks (or that does not match its hash) refuses the replay naming the file', async () => {
    await expect(loadRecordedStrategies(set, new Map())).rejects.toMatchObject({ code: 'E_RECORDING_READ', message: expect.stringContaining(file) });
    await expect(loadRecordedStrategies(set, new Map([[sha256Of(text), `${text}// edited`]]))).rejects.toMatchObject({ code: 'E_RECORDING_READ' });
  });

  it('a malformed set is an E_RECORDING_READ, not a TypeError', async () => {
    for (const bad of [{}, { strategies: 'x' }, { strategies: [{ id: 1 }] }, { strategies: [{ id: 'a', file: 'f', sha256: 's', params: [] }] }]) {
      await expect(loadRecordedStrategies(bad as unknown as RecordedStrategySet, new Map())).rejects.toMatchObject({ code: 'E_RECORDING_READ' });
    }
  });

  it('records each text once, before the set that first uses it; a params or code change is a change', async () => {
    const [source] = await loadRecordedStrategies(set, new Map([[sha256Of(text), text]]));
    const a: ActiveStrategy = { entry: { id: 'mine', enabled: true, params: {} }, source: source! };
    const records: LifecycleRecord[] = [];
    const recorded = new Set<string>();
    recordSet([a], recorded, (r) => records.push(r), (s) => ({ type: 'kernel.started', at: 1, ...({ strategies: s } as object) }) as LifecycleRecord);
    recordSet([a], recorded, (r) => records.push(r), (s) => ({ type: 'strategies.reloaded', at: 2, changed: [], ...s }));
    expect(records.map((r) => r.type)).toEqual(['strategy.source', 'kernel.started', 'strategies.reloaded']);
    expect(records[0]).toEqual({ type: 'strategy.source', sha256: sha256Of(text), file, text });
    expect(changedIds([a], [a])).toEqual([]);
    expect(changedIds([a], [{ ...a, entry: { ...a.entry, params: { x: 1 } } }])).toEqual(['mine']);
    expect(changedIds([a], [{ ...a, source: { ...a.source, hash: 'other' } }])).toEqual(['mine']);
    // Key order of params is not a change.
    const p1: ActiveStrategy = { ...a, entry: { ...a.entry, params: { x: 1, y: { b: 2, a: 1 } } } };
    const p2: ActiveStrategy = { ...a, entry: { ...a.entry, params: { y: { a: 1, b: 2 }, x: 1 } } };
    expect(changedIds([p1], [p2])).toEqual([]);
  });
});
