import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SubscriptionSet, pairKey, type RegistrationMessage } from '../../../src/core/subscription-set.js';

/** What a server holds after applying messages (REG refresh "1" keeps, REMOVE drops the product). */
function applyOnServer(server: Set<string>, messages: readonly RegistrationMessage[]): void {
  for (const m of messages) {
    for (const d of m.data) {
      for (const item of d.item) for (const type of d.type) {
        if (m.trnm === 'REG') server.add(pairKey(item, type));
        else server.delete(pairKey(item, type));
      }
    }
  }
}

describe('the wanted subscription set', () => {
  it('registers the whole wanted set in chunks, grouped by type set', () => {
    const subs = new SubscriptionSet({ chunkSize: 2 });
    subs.add(['000660', '005930', '035420'], ['0B', '0A']);
    subs.add(['373220'], ['0B']);
    const plan = subs.plan();
    expect(plan.messages).toEqual([
      { trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: ['000660', '005930'], type: ['0A', '0B'] }] },
      { trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: ['035420'], type: ['0A', '0B'] }] },
      { trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: ['373220'], type: ['0B'] }] },
    ]);
    expect(plan.registered).toBe(7);
    expect(subs.plan().messages).toEqual([]);
  });

  it('turns changes into the minimal REG or REMOVE', () => {
    const subs = new SubscriptionSet();
    subs.add(['005930', '000660'], ['0B']);
    subs.plan();
    subs.remove(['000660']);
    subs.add(['035720'], ['0B']);
    expect(subs.plan().messages).toEqual([
      { trnm: 'REMOVE', grp_no: '1', data: [{ item: ['000660'], type: ['0B'] }] },
      { trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: ['035720'], type: ['0B'] }] },
    ]);
  });

  it('registers everything again after a reconnect and never sends refresh "0"', () => {
    const subs = new SubscriptionSet();
    subs.add(['005930'], ['0B', '0A']);
    subs.plan();
    subs.resetConnection();
    const again = subs.plan();
    expect(again.messages).toHaveLength(1);
    expect(again.registered).toBe(2);
    expect(JSON.stringify(again.messages)).not.toMatch(/"refresh":"0"/);
  });

  it('a change that cancels out sends nothing', () => {
    const subs = new SubscriptionSet();
    subs.add(['005930'], ['0B']);
    subs.plan();
    subs.remove(['005930']);
    subs.add(['005930'], ['0B']);
    expect(subs.plan().messages).toEqual([]);
  });

  it('property: after any sequence of add, remove and drop the server converges to the wanted set, and removed pairs are never re-sent', () => {
    const item = fc.constantFrom('005930', '000660', '035420', '035720', '373220', '207940');
    const types = fc.subarray(['0A', '0B'], { minLength: 1 });
    const op = fc.oneof(
      fc.record({ op: fc.constant('add' as const), items: fc.array(item, { maxLength: 4 }), types }),
      fc.record({ op: fc.constant('remove' as const), items: fc.array(item, { maxLength: 4 }), types }),
      fc.record({ op: fc.constant('drop' as const) }),
      fc.record({ op: fc.constant('sync' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.integer({ min: 1, max: 5 }), (ops, chunk) => {
        const subs = new SubscriptionSet({ chunkSize: chunk });
        let server = new Set<string>();
        for (const o of ops) {
          if (o.op === 'add') subs.add(o.items, o.types);
          else if (o.op === 'remove') subs.remove(o.items, o.types);
          else if (o.op === 'drop') {
            server = new Set();
            subs.resetConnection();
          } else {
            const plan = subs.plan();
            const wanted = new Set(subs.wantedPairs());
            for (const m of plan.messages) {
              expect(m.data[0]?.item.length).toBeLessThanOrEqual(chunk);
              if (m.trnm === 'REG') for (const d of m.data) for (const i of d.item) for (const t of d.type) expect(wanted.has(pairKey(i, t))).toBe(true);
            }
            applyOnServer(server, plan.messages);
            expect([...server].sort()).toEqual(subs.wantedPairs());
          }
        }
        applyOnServer(server, subs.plan().messages);
        expect([...server].sort()).toEqual(subs.wantedPairs());
        expect(subs.activePairs()).toEqual(subs.wantedPairs());
      }),
      { numRuns: 300 },
    );
  });
});
