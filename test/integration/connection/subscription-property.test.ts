import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startRealtimeHarness } from '../../support/realtime-harness.js';

const SYMBOLS = ['005930', '000660', '035420', '035720', '373220', '207940', '051910', '006400'];

type Op = { op: 'add'; items: string[] } | { op: 'remove'; items: string[] } | { op: 'drop'; mode: 'close' | 'terminate' } | { op: 'settle' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('add' as const), items: fc.subarray(SYMBOLS, { minLength: 1, maxLength: 3 }) }),
  fc.record({ op: fc.constant('remove' as const), items: fc.subarray(SYMBOLS, { minLength: 1, maxLength: 3 }) }),
  fc.record({ op: fc.constant('drop' as const), mode: fc.constantFrom('close' as const, 'terminate' as const) }),
  fc.record({ op: fc.constant('settle' as const) }),
);

describe('subscriptions against the simulator (property)', () => {
  it('converge to the wanted set after any sequence of add, remove and drop; a removed pair is never re-sent', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 3 }), async (ops, chunk) => {
        const h = await startRealtimeHarness({ symbols: ['005930'], regChunkSize: chunk, sim: { tradesPerSecond: 5 } });
        try {
          h.conn.start();
          await h.settled();
          for (const o of ops) {
            if (o.op === 'add') h.conn.applyDiff({ add: o.items, remove: [] });
            else if (o.op === 'remove') h.conn.applyDiff({ add: [], remove: o.items });
            else if (o.op === 'drop') {
              // A drop while the client is still reconnecting finds nothing to close.
              if (h.sim.faults.dropConnections(o.mode) > 0) await h.waitOutBackoff();
            } else await h.settled();
          }
          await h.settled();
          expect(h.serverPairs()).toEqual(h.conn.subscriptions.wantedPairs());
          expect(h.unwantedRegs).toEqual([]);
          expect(h.conn.stats.maxOpenSockets).toBe(1);
          for (const t of h.timeline) if ('sent' in t) for (const d of t.sent.data) expect(d.item.length).toBeLessThanOrEqual(chunk);
        } finally {
          await h.close();
        }
      }),
      { numRuns: 25 },
    );
  });
});
