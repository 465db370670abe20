import { describe, expect, it } from 'vitest';
import { lifecycleRecorder, parseLifecycle, recordedPollNames } from '../../../src/app/lifecycle-recording.js';
import type { RecordingKind } from '../../../src/core/recording.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';

describe('lifecycle records', () => {
  it('are appended as JSON stamped with the clock, and read back', () => {
    const rows: [RecordingKind, string, number][] = [];
    const record = lifecycleRecorder({ append: (kind, data, tsUs) => void rows.push([kind, data, tsUs]) }, createVirtualClock(1_000));
    record({ type: 'kernel.started', at: 1_000, polls: ['ranking:P00101', 'program-trading:P10102'] });
    expect(rows).toEqual([['lifecycle', '{"type":"kernel.started","at":1000,"polls":["ranking:P00101","program-trading:P10102"]}', 1_000_000]]);
    expect(parseLifecycle(rows[0]![1])).toEqual({ type: 'kernel.started', at: 1_000, polls: ['ranking:P00101', 'program-trading:P10102'] });
  });

  it('reads a row that is not a record as null', () => {
    expect(parseLifecycle('not json')).toBeNull();
    expect(parseLifecycle('[1]')).toBeNull();
    expect(parseLifecycle('{"at":1}')).toBeNull();
  });

  it('names the polls of a recorded kernel, from the source table or from the older { ranking, watchlist } form', () => {
    expect([...recordedPollNames(['ranking:P00101', 'watchlist'], ['P10102'])]).toEqual(['ranking:P00101', 'watchlist']);
    expect([...recordedPollNames({ ranking: ['P00101'], watchlist: true }, ['P10102'])]).toEqual(['ranking:P00101', 'watchlist']);
    expect([...recordedPollNames({ watchlist: false }, ['P00101', 'P10102'])]).toEqual(['ranking:P00101', 'ranking:P10102']);
    expect([...recordedPollNames(undefined, ['P00101'])]).toEqual(['ranking:P00101']);
  });
});
