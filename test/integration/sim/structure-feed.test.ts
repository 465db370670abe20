import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeEntry, isDecodeFailure, kstDayStart } from '../../../src/adapters/kiwoom/realtime-decoder.js';
import type { MarketEvent } from '../../../src/core/market.js';
import { upperLimit } from '../../../src/sim/format.js';
import { advance, kiwoomToken, loggedIn, startTestSim, trnm, type Frame, type TestSim, type TestWs } from './helpers.js';

type Entry = { type: string; item: string; values: Record<string, string> };

describe('sim 0g/0w/0D over the WebSocket', () => {
  let t: TestSim;
  let c: TestWs | undefined;
  beforeEach(async () => {
    t = await startTestSim({ tradesPerSecond: 50 });
  });
  afterEach(async () => {
    c?.close();
    await t.sim.close();
  });

  it('sends each registered type in the real forms, decodable, 0g once per registration, 0w every 7 s', async () => {
    c = await loggedIn(t.sim, await kiwoomToken(t.sim));
    c.send({ trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: ['005930', '000660_AL'], type: ['0g', '0w', '0D'] }] });
    expect(await c.next(trnm('REG'))).toMatchObject({ return_code: 0 });
    await advance(t.clock, 15_000, 500);
    const entries = c.frames.filter((f: Frame) => f.trnm === 'REAL').flatMap((f) => f.data as Entry[]);
    const events: MarketEvent[] = [];
    for (const e of entries) {
      const out = decodeEntry(e, t.clock.now(), kstDayStart(t.clock.now()));
      if (isDecodeFailure(out)) throw new Error(`${out.reason}: ${JSON.stringify(e).slice(0, 200)}`);
      events.push(out);
    }
    const count = (kind: string, symbol: string): number => events.filter((e) => e.kind === kind && 'symbol' in e && e.symbol === symbol).length;
    expect(count('stock-info', '005930')).toBe(1);
    expect(count('program-flow', '005930')).toBe(3); // at 0, 7 and 14 s
    expect(count('book', '005930')).toBeGreaterThanOrEqual(7);
    const info = events.find((e) => e.kind === 'stock-info' && e.symbol === '005930');
    if (info?.kind !== 'stock-info') throw new Error('no 0g');
    expect(info.upperLimit).toBe(upperLimit(info.referencePrice));
    // The real forms: a flat price with a leading space, 211/213 unsigned when positive.
    const book = entries.find((e) => e.type === '0D' && e.item === '000660_AL')!;
    expect(book.values['6064']).not.toBe('0');
    expect(entries.filter((e) => e.type === '0D').every((e) => /^[+\- ]?\d+$/.test(e.values['41']!))).toBe(true);
  });
});

describe('sim 1h registered item-less', () => {
  it('sends every VI of the market to an item-less 1h subscriber, each entry naming its stock (item and 9001)', async () => {
    // Block deals (0A, 1-4 % away) on every stock often: prices travel far enough for VIs within the hour.
    const t = await startTestSim({ tradesPerSecond: 5, indicativePerHour: 2_000_000, tickMs: 1_000, pingIntervalMs: 24 * 3600_000 });
    const c = await loggedIn(t.sim, await kiwoomToken(t.sim));
    c.send({ trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: [''], type: ['1h'] }] });
    expect(await c.next(trnm('REG'))).toMatchObject({ return_code: 0 });
    await advance(t.clock, 3600_000, 10_000);
    await new Promise<void>((r) => setTimeout(r, 50));
    const entries = c.frames.filter((f: Frame) => f.trnm === 'REAL').flatMap((f) => f.data as Entry[]);
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.type === '1h' && /^\d{6}$/.test(e.item) && e.values['9001'] === e.item)).toBe(true);
    const vis = entries.map((e) => decodeEntry(e, t.clock.now(), kstDayStart(t.clock.now())));
    expect(vis.filter(isDecodeFailure)).toEqual([]);
    // Nobody registered a stock: these are the whole market's VIs, triggers and their releases.
    expect(new Set(entries.map((e) => e.item)).size).toBeGreaterThan(1);
    expect(entries.some((e) => e.values['1224'] !== '000000')).toBe(true);
    c.close();
    await t.sim.close();
  }, 60_000);
});
