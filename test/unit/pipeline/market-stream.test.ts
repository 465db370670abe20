import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { alwaysOpenCalendar } from '../../../src/core/calendar.js';
import type { MarketEvent, ProgramMarketCode, RealtimeEvent } from '../../../src/core/market.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createMarketStream } from '../../../src/pipeline/market-stream.js';
import { loadMarketSessions } from '../../../src/config/market-sessions.js';
import { kstToEpoch } from '../../../src/core/kst.js';
import { createSessionSchedule } from '../../../src/core/market-sessions.js';
import type { UniverseDiff } from '../../../src/pipeline/universe.js';
import { T0, ranking, trade, watchlist } from '../engine/fixtures.js';

describe('market stream', () => {
  it('merges real-time events and polls in order, hands universe diffs over first, and is shared', async () => {
    const clock = createVirtualClock(T0);
    const realtime$ = new Subject<RealtimeEvent>();
    const log: string[] = [];
    const fetches: string[] = [];
    const errors: string[] = [];
    let failNext = true;
    const events$ = createMarketStream({
      clock,
      calendar: alwaysOpenCalendar,
      realtime$,
      staticSymbols: ['000001'],
      polls: [
        ...(['P00101', 'P10102'] as const).map((market: ProgramMarketCode) => ({
          name: `ranking:${market}`,
          periodMs: 30_000,
          phases: ['session'] as const,
          fetch: () => {
            fetches.push(market);
            return Promise.resolve(ranking(market, market === 'P00101' ? ['000010'] : ['300000'], clock.now()));
          },
        })),
        {
          name: 'watchlist',
          periodMs: 300_000,
          phases: ['session'] as const,
          fetch: () => {
            fetches.push('watchlist');
            if (failNext) {
              failNext = false;
              return Promise.reject(new Error('kis down'));
            }
            return Promise.resolve(watchlist(['500000'], clock.now()));
          },
        },
      ],
      onUniverseDiff: (d: UniverseDiff) => log.push(`diff +${d.add.join(',')} -${d.remove.join(',')}`),
      onError: (source) => errors.push(source),
    });
    const a: MarketEvent[] = [];
    const b: MarketEvent[] = [];
    events$.subscribe((e) => {
      a.push(e);
      log.push(`event ${e.kind}`);
    });
    events$.subscribe((e) => b.push(e));
    expect(log).toEqual(['diff +000001 -']);

    realtime$.next(trade({ price: 1, ts: T0 }));
    await clock.tickAsync(0);
    expect(log).toEqual(['diff +000001 -', 'event trade', 'diff +000010 -', 'event ranking', 'diff +300000 -', 'event ranking']);
    expect(errors).toEqual(['watchlist']);

    await clock.tickAsync(300_000);
    expect(fetches.filter((f) => f === 'P00101')).toHaveLength(11); // 0, 30 s ... 300 s: once per tick despite 2 subscribers
    expect(fetches.filter((f) => f === 'watchlist')).toHaveLength(2);
    expect(log).toContain('diff +500000 -');
    expect(b).toEqual(a);
    realtime$.next(trade({ price: 2, ts: T0 + 300_000 }));
    expect(a.at(-1)).toMatchObject({ kind: 'trade', price: 2 });
  });

  it('runs a poll only in its phases: no request while the session is closed', async () => {
    const clock = createVirtualClock(T0);
    let open = false;
    const fetched: number[] = [];
    const events$ = createMarketStream({
      clock,
      calendar: { isOpen: () => open },
      realtime$: new Subject<RealtimeEvent>(),
      polls: [{ name: 'ranking:P00101', periodMs: 1_000, phases: ['session'], fetch: () => (fetched.push(clock.now()), Promise.resolve(ranking('P00101', [], clock.now()))) }],
      onUniverseDiff: () => {},
      onError: () => {},
    });
    const sub = events$.subscribe();
    await clock.tickAsync(2_000);
    expect(fetched).toEqual([]);
    open = true;
    await clock.tickAsync(1_000);
    expect(fetched).toEqual([T0 + 3_000]);
    sub.unsubscribe();
  });

  it('marks trades printed in an auction of their venue from the schedule at tsEvent (09:00 and 15:30 prints)', () => {
    const clock = createVirtualClock(kstToEpoch(2026, 12, 7, 8, 0));
    const realtime$ = new Subject<RealtimeEvent>();
    const events$ = createMarketStream({
      clock,
      calendar: alwaysOpenCalendar,
      sessions: createSessionSchedule(loadMarketSessions()),
      realtime$,
      onUniverseDiff: () => undefined,
      onError: () => undefined,
    });
    const out: MarketEvent[] = [];
    const sub = events$.subscribe((e) => out.push(e));
    const at = (h: number, m: number, s: number): number => kstToEpoch(2026, 12, 7, h, m, s);
    for (const ts of [at(9, 0, 0), at(9, 0, 1), at(15, 30, 0), at(15, 30, 1)]) realtime$.next(trade({ price: 100, ts, tsRecv: ts + 50 }));
    realtime$.next(trade({ venue: 'NXT', price: 100, ts: at(15, 30, 0) })); // NXT has no auction
    // An _AL (SOR) item streams both venues: FID 9081 says which printed, and only KRX's 15:30 is an auction.
    realtime$.next({ ...trade({ venue: 'SOR', price: 100, ts: at(15, 30, 0) }), tradeVenue: 'NXT' as const });
    realtime$.next({ ...trade({ venue: 'SOR', price: 100, ts: at(15, 30, 0) }), tradeVenue: 'KRX' as const });
    sub.unsubscribe();
    expect(out.map((e) => (e.kind === 'trade' ? e.auction === true : null))).toEqual([true, false, true, false, false, false, true]);
  });
});
