import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadMarketSessions } from '../../../src/config/market-sessions.js';
import { formatKstDashed, kstToEpoch } from '../../../src/core/kst.js';
import type { MarketEvent, TradeEvent } from '../../../src/core/market.js';
import { createSessionSchedule, isAuctionPrint } from '../../../src/core/market-sessions.js';
import { STRATEGY_API_VERSION, defineStrategy } from '../../../src/core/strategy.js';
import { startRun, trade } from './fixtures.js';

const schedule = createSessionSchedule(loadMarketSessions());
const seen: string[] = [];

/** Logs each phase event with ctx.phase of both venues at that instant, and ctx.phase at each trade. */
const phaseWatcher = defineStrategy({
  id: 'phase-watcher',
  version: '1.0.0',
  apiVersion: STRATEGY_API_VERSION,
  params: z.strictObject({}),
  needs: { events: ['phase', 'trade'] },
  create: (ctx) => ({
    onEvent: (e: MarketEvent) => {
      const at = formatKstDashed(ctx.now()).slice(11);
      if (e.kind === 'phase') seen.push(`${at} ${e.venue} ${e.phase} (ctx ${ctx.phase('KRX')}/${ctx.phase('NXT')})`);
      else if (e.kind === 'trade') seen.push(`${at} trade ctx ${ctx.phase()}`);
    },
  }),
});

/** ctx.phase is the phase at the instant: changes at one instant are all in force when the first is told.
 * Monday 2026-12-07 (after 2026-09-14: the KRX after-market profile), as protocol.md 11.1 lists it. */
const DAY_PHASES = [
  '08:00:00 NXT nxt-pre-market (ctx closed/nxt-pre-market)',
  '08:30:00 KRX pre-open-auction (ctx pre-open-auction/nxt-pre-market)',
  '08:50:00 NXT closed (ctx pre-open-auction/closed)',
  '09:00:00 KRX continuous (ctx continuous/closed)',
  '09:00:30 NXT nxt-main (ctx continuous/nxt-main)',
  '15:20:00 KRX closing-auction (ctx closing-auction/closed)',
  '15:20:00 NXT closed (ctx closing-auction/closed)',
  '15:30:00 KRX closed (ctx closed/nxt-after-market)',
  '15:30:00 NXT nxt-after-market (ctx closed/nxt-after-market)',
  '15:40:00 KRX after-hours-close-price (ctx after-hours-close-price/nxt-after-market)',
  '16:00:00 KRX after-market (ctx after-market/nxt-after-market)',
  '20:00:00 KRX closed (ctx closed/closed)',
  '20:00:00 NXT closed (ctx closed/closed)',
];

describe('strategy host: phases', () => {
  it('delivers each phase change of a whole day at its instant on the clock alone (no event needed)', () => {
    seen.length = 0;
    const run = startRun([phaseWatcher], [{ id: 'phase-watcher' }], { start: kstToEpoch(2026, 12, 7, 7, 0), sessions: schedule });
    run.clock.tick(14 * 3_600_000); // 07:00 -> 21:00 KST
    expect(seen).toEqual(DAY_PHASES);
  });

  it('orders phase events before an event at the same instant, the same live and in replay', () => {
    const trades = [kstToEpoch(2026, 12, 7, 8, 59, 59), kstToEpoch(2026, 12, 7, 9, 0, 0), kstToEpoch(2026, 12, 7, 15, 20, 0)].map((ts) => trade({ price: 100, ts }));
    const runOnce = (live: boolean): string[] => {
      seen.length = 0;
      const run = startRun([phaseWatcher], [{ id: 'phase-watcher' }], { start: kstToEpoch(2026, 12, 7, 8, 55), sessions: schedule });
      for (const e of trades) {
        // Live: wall time passes and the host's wake-ups fire; otherwise only the events say the time.
        if (live) run.clock.tick(e.tsRecv - run.clock.now());
        run.host.handle(e);
      }
      return [...seen];
    };
    const live = runOnce(true);
    expect(live).toEqual([
      '08:59:59 trade ctx pre-open-auction',
      '09:00:00 KRX continuous (ctx continuous/closed)',
      '09:00:00 trade ctx continuous',
      '15:20:00 KRX closing-auction (ctx closing-auction/closed)',
      '15:20:00 NXT closed (ctx closing-auction/closed)',
      '15:20:00 trade ctx closing-auction',
    ].toSpliced(3, 0, '09:00:30 NXT nxt-main (ctx continuous/nxt-main)'));
    // Start at 08:55: NXT's 08:50 pause began before; the host reports changes after its start only.
    expect(runOnce(false)).toEqual(live);
  });

  it('a holiday and a weekend have no phase events; the next trading day starts at 08:00', () => {
    seen.length = 0;
    // Thursday 2026-12-24 -> Monday 12-28 (12-25 is 성탄절).
    const run = startRun([phaseWatcher], [{ id: 'phase-watcher' }], { start: kstToEpoch(2026, 12, 24, 21, 0), sessions: schedule });
    run.clock.tick(kstToEpoch(2026, 12, 28, 8, 10) - run.clock.now());
    expect(seen).toEqual(['08:00:00 NXT nxt-pre-market (ctx closed/nxt-pre-market)']);
  });

  it('without a schedule (the simulator always open) ctx.phase() is continuous and no phase event comes', () => {
    seen.length = 0;
    const run = startRun([phaseWatcher], [{ id: 'phase-watcher' }], { start: kstToEpoch(2026, 12, 5, 23, 0) });
    run.feed([trade({ price: 100, ts: kstToEpoch(2026, 12, 5, 23, 0, 1) })]);
    run.clock.tick(48 * 3_600_000);
    expect(seen).toEqual(['23:00:01 trade ctx continuous']);
  });
});

describe('auction prints', () => {
  const at = (h: number, m: number, s = 0): number => kstToEpoch(2026, 12, 7, h, m, s);
  it('the 09:00 opening and 15:30 closing single prices are auction prints; continuous trades are not', () => {
    expect(isAuctionPrint(schedule, 'KRX', at(9, 0, 0))).toBe(true);
    expect(isAuctionPrint(schedule, 'KRX', at(15, 30, 0))).toBe(true);
    expect(isAuctionPrint(schedule, 'KRX', at(9, 0, 1))).toBe(false);
    expect(isAuctionPrint(schedule, 'KRX', at(10, 0, 0))).toBe(false);
    expect(isAuctionPrint(schedule, 'KRX', at(15, 19, 59))).toBe(false);
    expect(isAuctionPrint(schedule, 'KRX', at(15, 30, 1))).toBe(false);
    // NXT has no auction of its own.
    expect(isAuctionPrint(schedule, 'NXT', at(9, 0, 30))).toBe(false);
    expect(isAuctionPrint(schedule, 'NXT', at(15, 30, 0))).toBe(false);
  });

  it('the first trading day opens an hour late: its opening print is at 10:00', () => {
    expect(isAuctionPrint(schedule, 'KRX', kstToEpoch(2026, 1, 2, 10, 0, 0))).toBe(true);
    expect(isAuctionPrint(schedule, 'KRX', kstToEpoch(2026, 1, 2, 9, 30, 0))).toBe(true); // still in the auction
    expect(isAuctionPrint(schedule, 'KRX', kstToEpoch(2026, 1, 2, 10, 0, 1))).toBe(false);
  });

  it('keeps the flag optional on the event type', () => {
    const t: TradeEvent = trade({ price: 1, ts: at(9, 0) });
    expect(t.auction).toBeUndefined();
  });
});
