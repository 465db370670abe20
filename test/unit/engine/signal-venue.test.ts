import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { signalId } from '../../../src/core/signal-id.js';
import { STRATEGY_API_VERSION, defineStrategy, type Exchange } from '../../../src/sdk/index.js';
import { T0, ranking, runStrategy, trade } from '../../../src/sdk/testing.js';
import { createMarketBook } from '../../../src/pipeline/market-book.js';

/** On a trade: a BUY on the traded symbol (venue left to the host), optionally a second on another venue or symbol. */
const buyer = defineStrategy({
  id: 'buyer',
  version: '1.0.0',
  apiVersion: STRATEGY_API_VERSION,
  params: z.strictObject({ venue: z.enum(['KRX', 'NXT', 'SOR', 'none']).default('none'), other: z.string().default('') }),
  needs: { events: ['trade', 'ranking'] },
  create(ctx) {
    return {
      onStart: () => ctx.setTimer('later', 1_000),
      onEvent(e) {
        if (e.kind !== 'trade') return;
        const venue = ctx.params.venue === 'none' ? undefined : (ctx.params.venue as Exchange);
        ctx.emit({ symbol: e.symbol, kind: 'BUY', price: e.price, ...(venue ? { venue } : {}) });
        if (ctx.params.other !== '') ctx.emit({ symbol: ctx.params.other, kind: 'ALERT' });
      },
      // A timer is about no instrument: the book's venue for the symbol, else KRX.
      onTimer: () => {
        ctx.emit({ symbol: '000660', kind: 'ALERT' });
        ctx.emit({ symbol: '035420', kind: 'ALERT' });
      },
    };
  },
});

describe('the venue on signals (issue 14 item 3)', () => {
  it('the signal id includes the venue: same strategy, symbol, kind and instant on two venues are two ids', () => {
    const parts = { strategy: 's', strategyVersion: '1.0.0', symbol: '005930', kind: 'BUY', tsEvent: T0, ordinal: 0 } as const;
    const ids = (['KRX', 'NXT', 'SOR'] as const).map((venue) => signalId({ ...parts, venue }));
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(signalId({ ...parts, venue: 'NXT' })).toBe(ids[1]); // deterministic
  });

  it('takes the venue of the event that caused the signal, the draft\'s when given, else the book\'s, else KRX', () => {
    const events = [ranking('P00101', ['000660'], T0 + 100), trade({ symbol: '000660', venue: 'SOR', price: 100, ts: T0 + 200 }), trade({ symbol: '005930', venue: 'NXT', price: 70_000, ts: T0 + 300 })];
    const run = runStrategy(buyer, { events, until: T0 + 2_000, params: { other: '035420' } });
    expect(run.faults).toBe(0);
    expect(run.signals.map((s) => [s.symbol, s.venue, s.kind])).toEqual([
      ['000660', 'SOR', 'BUY'], // the trade's venue
      ['035420', 'KRX', 'ALERT'], // another symbol, never seen: KRX
      ['005930', 'NXT', 'BUY'],
      ['035420', 'KRX', 'ALERT'],
      ['000660', 'SOR', 'ALERT'], // the timer: the book saw 000660 on SOR
      ['035420', 'KRX', 'ALERT'],
    ]);
    const drafted = runStrategy(buyer, { events: events.slice(1, 2), params: { venue: 'KRX' } });
    expect(drafted.signals.map((s) => s.venue)).toEqual(['KRX']);
    // Same cause, two venues: two ids.
    expect(drafted.signals[0]!.id).not.toBe(run.signals[0]!.id);
  });

  it('refuses a draft venue that is not KRX, NXT or SOR (a fault, no signal)', () => {
    const bad = defineStrategy({
      id: 'bad-venue',
      version: '1.0.0',
      apiVersion: STRATEGY_API_VERSION,
      params: z.strictObject({}),
      needs: { events: ['trade'] },
      create: (ctx) => ({ onEvent: (e) => void (e.kind === 'trade' && ctx.emit({ symbol: e.symbol, kind: 'BUY', venue: 'AL' as Exchange })) }),
    });
    const run = runStrategy(bad, { events: [trade({ price: 1, ts: T0 })] });
    expect(run.signals).toEqual([]);
    expect(run.faults).toBe(1);
    const fault = run.logs.find((l) => l.fields['code'] === 'E_STRATEGY_BAD_SIGNAL');
    expect(JSON.stringify(fault?.fields)).toContain('invalid signal: venue \\"AL\\" (KRX, NXT or SOR)');
  });

  it('the cooldown is per instrument: the same symbol and kind on another venue is not swallowed', () => {
    const events = [trade({ venue: 'KRX', price: 1, ts: T0 }), trade({ venue: 'NXT', price: 1, ts: T0 + 10 }), trade({ venue: 'KRX', price: 1, ts: T0 + 20 })];
    const run = runStrategy(buyer, { events, cooldownMs: 60_000 });
    expect(run.signals.map((s) => s.venue)).toEqual(['KRX', 'NXT']);
  });
});

describe('the market book per symbol and venue', () => {
  it('keeps one snapshot per venue; snapshot(symbol) is the primary (first market) venue; rankings reach every venue', () => {
    const book = createMarketBook();
    book.apply(ranking('P00101', ['000000', '000001', '005930'], T0));
    expect(book.snapshot('005930')).toMatchObject({ venue: 'KRX', programRank: 3, lastPrice: null });
    // The first market event is on NXT: the ranking-only KRX snapshot gives way to it.
    book.apply(trade({ venue: 'NXT', price: 70_100, ts: T0 + 1 }));
    expect(book.venueOf('005930')).toBe('NXT');
    expect(book.snapshot('005930')).toMatchObject({ venue: 'NXT', lastPrice: 70_100, programRank: 3 });
    expect(book.snapshot('005930', 'KRX')).toBeUndefined();
    book.apply(trade({ venue: 'KRX', price: 70_000, ts: T0 + 2 }));
    expect(book.snapshot('005930', 'KRX')).toMatchObject({ venue: 'KRX', lastPrice: 70_000, programRank: 3 });
    expect(book.snapshot('005930')).toMatchObject({ venue: 'NXT', lastPrice: 70_100 });
    book.apply(ranking('P00101', ['005930'], T0 + 3));
    expect([book.snapshot('005930', 'KRX')?.programRank, book.snapshot('005930', 'NXT')?.programRank]).toEqual([1, 1]);
    expect(book.venueOf('000660')).toBeUndefined();
  });
});
