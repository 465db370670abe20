import { describe, expect, it } from 'vitest';
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
});
