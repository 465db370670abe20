import { describe, expect, it } from 'vitest';
import { eventNeedOfWireType } from '../../../src/adapters/kiwoom/realtime-types.js';
import { hasSource, realtimeTypesFor } from '../../../src/app/market-sources.js';

describe('market sources: the new real-time rows', () => {
  it('subscribes 0w/1h/0g/0D only when a need names their kind', () => {
    expect(realtimeTypesFor(['trade', 'ranking'])).toEqual(['0B']);
    expect(realtimeTypesFor(['program-flow', 'vi', 'stock-info', 'book'])).toEqual(['0w', '1h', '0g', '0D']);
    for (const need of ['program-flow', 'vi', 'stock-info', 'book'] as const) expect(hasSource(need)).toBe(true);
  });

  it('reads API 1 wire codes back as the decoded kinds', () => {
    expect(['0w', '1h', '0g', '0D', '0F'].map(eventNeedOfWireType)).toEqual(['program-flow', 'vi', 'stock-info', 'book', 'raw:0F']);
  });
});
