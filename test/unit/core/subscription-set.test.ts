import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ITEMLESS, SubscriptionSet, pairKey, type RegistrationMessage } from '../../../src/core/subscription-set.js';

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
  it('registers the item-less pairs as item [""] in their own REG, acknowledged, rejected and retried like any', () => {
    const subs = new SubscriptionSet({ retry: { baseMs: 1_000, capMs: 8_000 } });
    subs.add([ITEMLESS], ['0s', '1h']);
    subs.add(['005930'], ['0B']);
    const plan = subs.plan(0);
    expect(plan.messages).toEqual([
      { trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: ['005930'], type: ['0B'] }] },
      { trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: [''], type: ['0s', '1h'] }] },
    ]);
    subs.answer({ ok: true }, 0);
    const rejected = subs.answer({ ok: false, code: '105110' }, 0);
    expect(rejected?.pairs).toEqual(['|0s', '|1h']);
    expect(subs.rejectedPairs().map((r) => r.pair)).toEqual(['|0s', '|1h']);
    expect(subs.nextRetryAt()).toBe(1_000);
    expect(subs.plan(999).messages).toEqual([]);
    expect(subs.plan(1_000).messages).toEqual([{ trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: [''], type: ['0s', '1h'] }] }]);
    subs.answer({ ok: true }, 1_000);
    expect(subs.ackedPairs()).toEqual(['005930|0B', '|0s', '|1h']);
    expect(subs.hasItem(ITEMLESS)).toBe(true);
  });

  it('counts the item-less item against the budget unless told not to (the broker unit is unknown)', () => {
    const counted = new SubscriptionSet({ maxItems: 2 });
    counted.add([ITEMLESS], ['0s']);
    counted.add(['005930', '000660'], ['0B']);
    expect(counted.wantedItems()).toEqual(['', '005930']);
    expect(counted.refusedItems()).toEqual(['000660']);
    expect(counted.itemsCounted()).toBe(2);

    const free = new SubscriptionSet({ maxItems: 2, itemlessCountsAsItem: false });
    free.add([ITEMLESS], ['0s']);
    free.add(['005930', '000660', '035420'], ['0B']);
    expect(free.wantedItems()).toEqual(['', '005930', '000660']);
    expect(free.refusedItems()).toEqual(['035420']);
    expect(free.itemsCounted()).toBe(2);
    // Even a full budget never refuses the item-less item when it does not count.
    const full = new SubscriptionSet({ maxItems: 1, itemlessCountsAsItem: false });
    full.add(['005930'], ['0B']);
    full.add([ITEMLESS], ['1h']);
    expect(full.refusedItems()).toEqual([]);
  });

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

  it('counts a pair as subscribed only once its REG is acknowledged; answers settle messages in the order sent', () => {
    const subs = new SubscriptionSet({ chunkSize: 1 });
    subs.add(['000660', '005930'], ['0B']);
    const plan = subs.plan(0);
    expect(plan.messages).toHaveLength(2);
    expect(subs.ackedCount).toBe(0);
    expect(subs.activePairs()).toEqual(['000660|0B', '005930|0B']);
    expect(subs.answer({ ok: true }, 10)?.pairs).toEqual(['000660|0B']);
    expect(subs.ackedPairs()).toEqual(['000660|0B']);
    expect(subs.answer({ ok: true }, 20)?.pairs).toEqual(['005930|0B']);
    expect(subs.ackedCount).toBe(2);
    expect(subs.answer({ ok: true }, 30)).toBeNull();
  });

  it('a rejected REG leaves its pairs unsubscribed and retries them on a doubling backoff (slowest for unknown codes)', () => {
    const subs = new SubscriptionSet({ retry: { baseMs: 1_000, capMs: 8_000 } });
    subs.add(['005930'], ['0B']);
    subs.plan(0);
    expect(subs.answer({ ok: false, code: '105110' }, 0)).toMatchObject({ pairs: ['005930|0B'], retryAt: 1_000 });
    expect(subs.rejectedPairs()).toEqual([{ pair: '005930|0B', code: '105110', attempts: 1, retryAt: 1_000 }]);
    expect(subs.activePairs()).toEqual([]);
    expect(subs.plan(999).messages).toEqual([]);
    expect(subs.nextRetryAt()).toBe(1_000);
    expect(subs.plan(1_000).messages).toHaveLength(1);
    subs.answer({ ok: false, code: '105110' }, 1_000);
    expect(subs.nextRetryAt()).toBe(3_000);
    subs.plan(3_000);
    subs.answer({ ok: false, code: '1' }, 3_000);
    expect(subs.nextRetryAt()).toBe(11_000);
    subs.plan(11_000);
    subs.answer({ ok: true }, 11_000);
    expect(subs.rejectedPairs()).toEqual([]);
    expect(subs.ackedPairs()).toEqual(['005930|0B']);
    // A pair no longer wanted is not retried.
    subs.add(['000660'], ['0B']);
    subs.plan(20_000);
    subs.answer({ ok: false, code: '105110' }, 20_000);
    subs.remove(['000660']);
    expect(subs.rejectedPairs()).toEqual([]);
    expect(subs.plan(60_000).messages).toEqual([]);
  });

  it('a rejected REMOVE is sent again later: the broker still holds those pairs', () => {
    const subs = new SubscriptionSet({ retry: { baseMs: 1_000, capMs: 8_000 } });
    subs.add(['005930'], ['0B']);
    subs.plan(0);
    subs.answer({ ok: true }, 0);
    subs.remove(['005930']);
    expect(subs.plan(0).messages.map((m) => m.trnm)).toEqual(['REMOVE']);
    subs.answer({ ok: false, code: '105110' }, 0);
    expect(subs.plan(999).messages).toEqual([]);
    expect(subs.plan(1_000).messages).toEqual([{ trnm: 'REMOVE', grp_no: '1', data: [{ item: ['005930'], type: ['0B'] }] }]);
    subs.answer({ ok: true }, 1_000);
    expect(subs.plan(10_000).messages).toEqual([]);
  });

  it('never wants more than maxItems items; the rest are refused and counted until removed', () => {
    const subs = new SubscriptionSet({ maxItems: 2 });
    expect(subs.add(['000001', '000002', '000003'], ['0B', '0A'])).toBe(4);
    expect(subs.wantedItems()).toEqual(['000001', '000002']);
    expect(subs.refusedItems()).toEqual(['000003']);
    expect(subs.refusedTotal).toBe(1);
    subs.add(['000003'], ['0B']);
    expect(subs.refusedTotal).toBe(1);
    subs.remove(['000001', '000003']);
    expect(subs.refusedItems()).toEqual([]);
    subs.add(['000003'], ['0B']);
    expect(subs.wantedItems()).toEqual(['000002', '000003']);
    expect(subs.hasItem('000003')).toBe(true);
    expect(subs.hasItem('000001')).toBe(false);
  });
});
