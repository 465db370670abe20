import { describe, expect, it } from 'vitest';
import { decodeEntry, isDecodeFailure, kstDayStart } from '../../../src/adapters/kiwoom/realtime-decoder.js';
import { createPhaseFeedCheck } from '../../../src/app/phase-watch.js';
import { silentLogger } from '../../../src/core/logger.js';
import { loadMarketSessions } from '../../../src/config/market-sessions.js';
import { kstToEpoch } from '../../../src/core/kst.js';
import { createSessionSchedule } from '../../../src/core/market-sessions.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { startSimulator } from '../../../src/sim/index.js';
import { advance, kiwoomToken, loggedIn, trnm, type Frame } from './helpers.js';

const schedule = createSessionSchedule(loadMarketSessions());
const ITEMS = ['005930', '000660_NX', '035720_AL'];

describe('the simulator follows the trading day (sessions option)', () => {
  it('sends 0B only in its venue\'s trading phases: KRX bare codes, NXT _NX, _AL either (9081 per printing venue); an opening and a closing auction print', async () => {
    const clock = createVirtualClock(kstToEpoch(2026, 12, 7, 8, 10));
    const sim = await startSimulator({ seed: 7, stocks: 600, tradesPerSecond: 5, tickMs: 5000, pingIntervalMs: 24 * 3600_000, clock, sessions: schedule });
    try {
      const ws = await loggedIn(sim, await kiwoomToken(sim));
      ws.send({ trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: ITEMS, type: ['0B'] }] });
      await ws.next(trnm('REG'));
      /** Items that traded during 20 s from `h:m` KST, with the 9081 each carried. */
      const window = async (h: number, m: number): Promise<string[]> => {
        await clock.tickAsync(kstToEpoch(2026, 12, 7, h, m) - clock.now());
        const from = ws.frames.length;
        await advance(clock, 20_000, 5000);
        await new Promise<void>((r) => setTimeout(r, 50)); // socket I/O of the last tick
        const seen = new Set<string>();
        for (const f of ws.frames.slice(from) as Frame[]) {
          if (f.trnm !== 'REAL') continue;
          for (const e of f.data as { item: string; values: Record<string, string> }[]) seen.add(`${e.item}:${e.values['9081']}`);
        }
        return [...seen].sort();
      };
      expect(await window(8, 20)).toEqual(['000660_NX:NXT', '035720_AL:NXT']); // NXT pre-market only
      expect(await window(8, 52)).toEqual([]); // NXT paused, KRX opening auction
      const beforeOpen = ws.frames.length;
      expect(await window(10, 0)).toEqual(['000660_NX:NXT', '005930:KRX', '035720_AL:KRX', '035720_AL:NXT']); // _AL streams both
      expect(await window(15, 22)).toEqual([]); // KRX closing auction, NXT paused
      const beforeClose = ws.frames.length;
      expect(await window(15, 32)).toEqual(['000660_NX:NXT', '035720_AL:NXT']); // KRX gap, NXT after-market
      expect(await window(17, 0)).toEqual(['000660_NX:NXT', '005930:KRX', '035720_AL:KRX', '035720_AL:NXT']); // both after-markets
      expect(await window(20, 5)).toEqual([]); // closed
      // One auction print per subscribed KRX stock (bare and _AL, never _NX) at 09:00:00 and 15:30:00.
      const printsAt = (fromFrame: number, hhmmss: string): string[] =>
        (ws.frames.slice(fromFrame) as Frame[])
          .filter((f) => f.trnm === 'REAL')
          .flatMap((f) => f.data as { item: string; values: Record<string, string> }[])
          .filter((e) => e.values['20'] === hhmmss)
          .map((e) => `${e.item}:${e.values['9081']}`)
          .sort();
      expect(printsAt(beforeOpen, '090000')).toEqual(['005930:KRX', '035720_AL:KRX']);
      expect(printsAt(beforeClose, '153000')).toEqual(['005930:KRX', '035720_AL:KRX']);
      ws.close();
    } finally {
      await sim.close();
    }
  }, 120_000);

  it('sends 0s 장시작시간 to an item-less subscriber at every phase change of the day, in the real form (item "", 215/20/214)', async () => {
    const clock = createVirtualClock(kstToEpoch(2026, 12, 7, 7, 50));
    const sim = await startSimulator({ seed: 7, stocks: 50, tradesPerSecond: 0, tickMs: 5000, pingIntervalMs: 24 * 3600_000, clock, sessions: schedule });
    try {
      const ws = await loggedIn(sim, await kiwoomToken(sim));
      ws.send({ trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: [''], type: ['0s'] }] });
      expect(await ws.next(trnm('REG'))).toMatchObject({ return_code: 0 });
      await advance(clock, kstToEpoch(2026, 12, 7, 20, 10) - clock.now(), 60_000);
      await new Promise<void>((r) => setTimeout(r, 50));
      const entries = (ws.frames as Frame[]).filter((f) => f.trnm === 'REAL').flatMap((f) => f.data as { type: string; name: string; item: string; values: Record<string, string> }[]);
      expect(entries.every((e) => e.type === '0s' && e.name === '장시작시간' && e.item === '')).toBe(true);
      expect(entries.map((e) => `${e.values['20']} ${e.values['215']} ${e.values['214']}`)).toEqual([
        '080000 0 010000', // NXT pre-market; KRX opens in an hour
        '083000 0 003000', // KRX opening auction
        '085000 0 001000', // NXT pauses
        '090000 3 000000', // KRX continuous
        '090030 3 000000', // NXT main
        '152000 2 000000', // KRX closing auction
        '153000 4 000000', // KRX closed, NXT after-market
        '154000 4 000000', // KRX after-hours close price
        '160000 4 000000', // KRX after-market
        '200000 9 000000', // both closed
      ]);
      // The daemon's check agrees with every one of them (each read at its own instant).
      const check = createPhaseFeedCheck(schedule, silentLogger);
      for (const e of entries) {
        const at = kstToEpoch(2026, 12, 7, Number(e.values['20']!.slice(0, 2)), Number(e.values['20']!.slice(2, 4)), Number(e.values['20']!.slice(4)));
        const event = decodeEntry(e, at, kstDayStart(at));
        if (isDecodeFailure(event)) throw new Error(event.reason);
        check.onEvent(event);
      }
      expect(check.stats()).toEqual({ frames: 10, disagreements: 0, unknown: 0 });
      ws.close();
    } finally {
      await sim.close();
    }
  }, 120_000);
});
