import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { buildMarketSources } from '../../../src/app/market-sources.js';
import { kernelSettings } from '../../../src/app/settings.js';
import type { BrokerClients } from '../../../src/app/broker-clients.js';
import { kstToEpoch } from '../../../src/core/kst.js';
import type { BasicInfoEvent, MarketEvent, RankingEvent, RealtimeEvent, StockMasterEvent } from '../../../src/core/market.js';
import { createVirtualClock, type VirtualClock } from '../../../src/core/virtual-clock.js';
import { createEntryQueue } from '../../../src/pipeline/entry-queue.js';
import { createMarketStream, type PollSource } from '../../../src/pipeline/market-stream.js';
import { createPollBoard } from '../../../src/pipeline/poll-board.js';
import { createStockMasterBook, labelOf } from '../../../src/pipeline/stock-master-book.js';
import { createUniverseTracker } from '../../../src/pipeline/universe.js';
import { testConfig } from '../../support/config.js';

const T0 = kstToEpoch(2026, 1, 5, 10, 0, 0);

async function settle(clock: VirtualClock, ms: number): Promise<void> {
  await clock.tickAsync(ms);
  for (let i = 0; i < 5; i++) await clock.tickAsync(0);
}

const ranking = (market: 'P00101' | 'P10102', symbols: string[], at: number): RankingEvent => ({
  kind: 'ranking',
  market,
  entries: symbols.map((symbol, i) => ({ rank: i + 1, symbol, name: symbol, price: 1000, changeRate: 0, cumVolume: 0, programSellAmount: 0, programBuyAmount: 0, programNetBuyAmount: 0 })),
  tsEvent: at,
  tsRecv: at,
});

const master = (warnings: Record<string, string>, at: number): StockMasterEvent => ({
  kind: 'stock-master',
  entries: Object.entries(warnings).map(([symbol, orderWarning]) => ({ symbol, name: `name-${symbol}`, market: '거래소', nxtEnable: symbol === '000001', orderWarning })),
  tsEvent: at,
  tsRecv: at,
});

const info = (symbol: string, at: number): BasicInfoEvent => ({
  kind: 'info', symbol, name: symbol, previousClose: 1000, referencePrice: 1000, upperLimit: 1300, lowerLimit: 700, high250: 1500, low250: 500, marketCap: 10, listedShares: 1000, floatShares: 800, tsEvent: at, tsRecv: at,
});

describe('the universe and the stock master', () => {
  it('leaves out ranked and watched symbols whose orderWarning is excluded, keeps static ones', () => {
    const u = createUniverseTracker(['000004'], undefined, { orderWarning: ['2', '4'] });
    u.refresh();
    expect(u.apply(ranking('P00101', ['000001', '000002', '000003'], T0))).toEqual({ add: ['000001', '000002', '000003'], remove: [] });
    // 000002 정리매매, 000003 단기과열 (not excluded), 000004 투자위험 but named by config or a strategy.
    expect(u.apply(master({ '000001': '0', '000002': '2', '000003': '3', '000004': '4' }, T0))).toEqual({ add: [], remove: ['000002'] });
    expect(u.current()).toEqual(['000001', '000003', '000004']);
    expect(u.excluded()).toEqual(['000002', '000004']);
    // A later master lifts the warning: the symbol comes back.
    expect(u.apply(master({ '000002': '0' }, T0 + 1))).toEqual({ add: ['000002'], remove: [] });
  });

  it('excludes nothing without codes, and the book names symbols it knows', () => {
    const u = createUniverseTracker([], undefined, { orderWarning: [] });
    u.apply(ranking('P00101', ['000002'], T0));
    expect(u.apply(master({ '000002': '2' }, T0))).toBeNull();
    const book = createStockMasterBook();
    expect(book.get('000001')).toBeUndefined();
    book.apply(master({ '000001': '0' }, T0));
    expect(book.get('000001')).toMatchObject({ name: 'name-000001', nxtEnable: true, orderWarning: '0' });
    expect(labelOf(book, '000001')).toBe('name-000001 (000001)');
    expect(labelOf(book, '999999')).toBe('999999');
    expect(book.loadedAt()).toBe(T0);
  });
});

describe('ka10001 on universe entry', () => {
  it('fetches each entering symbol once a KST day, one at a time, retries a failure with doubling waits, skips symbols gone', async () => {
    const clock = createVirtualClock(T0);
    const calls: Array<[string, number]> = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const failing = new Map([['000002', 2]]); // fails twice, then answers
    const members = new Set(['000001', '000002', '000003']);
    const errors: Array<[string, boolean]> = [];
    const q = createEntryQueue<BasicInfoEvent>({
      clock,
      fetch: async (symbol) => {
        calls.push([symbol, clock.now() - T0]);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise<void>((resolve) => clock.setTimeout(resolve, 100));
        inFlight--;
        const left = failing.get(symbol) ?? 0;
        if (left > 0) {
          failing.set(symbol, left - 1);
          throw new Error('boom');
        }
        return info(symbol, clock.now());
      },
      isMember: (s) => members.has(s),
      attempts: 3,
      backoff: { baseMs: 1000, capMs: 10_000 },
      onError: (symbol, _err, final) => errors.push([symbol, final]),
    });
    const got: string[] = [];
    q.events$.subscribe((e) => got.push(e.symbol));
    q.add(['000001', '000002', '000003', '000004']);
    members.delete('000003'); // left before its turn
    await settle(clock, 10_000);
    expect(got).toEqual(['000001', '000002']);
    expect(maxInFlight).toBe(1);
    // 000002: tried at 100 ms, retried 1 s after its failure, then 2 s after the second.
    expect(calls.filter(([s]) => s === '000002').map(([, at]) => at)).toEqual([100, 1200, 3300]);
    expect(errors).toEqual([['000002', false], ['000002', false]]);
    expect(calls.some(([s]) => s === '000003' || s === '000004')).toBe(false);
    // The same day: no second fetch on re-entry. The next KST day: fetched again.
    q.add(['000001']);
    await settle(clock, 1000);
    expect(got).toEqual(['000001', '000002']);
    await settle(clock, 24 * 3600_000);
    q.add(['000001']);
    await settle(clock, 1000);
    expect(got).toEqual(['000001', '000002', '000001']);
    expect(q.pending()).toBe(0);
    q.stop();
  });

  it('gives up after the attempts and tries again on the next entry', async () => {
    const clock = createVirtualClock(T0);
    let calls = 0;
    const errors: boolean[] = [];
    const q = createEntryQueue<BasicInfoEvent>({
      clock,
      fetch: async () => {
        calls++;
        throw new Error('down');
      },
      isMember: () => true,
      attempts: 2,
      backoff: { baseMs: 500, capMs: 500 },
      onError: (_s, _e, final) => errors.push(final),
    });
    q.add(['000001']);
    await settle(clock, 5000);
    expect([calls, errors]).toEqual([2, [false, true]]);
    q.add(['000001']);
    await settle(clock, 5000);
    expect(calls).toBe(4);
    q.stop();
  });
});

describe('sweeps and the stock master in the market stream', () => {
  it('a sweep fetches every universe symbol in turn, skips the ticks it outlasts (late) and keeps going past a failure', async () => {
    const clock = createVirtualClock(T0);
    const board = createPollBoard();
    const fetched: string[] = [];
    const late: string[] = [];
    const errors: string[] = [];
    const sweep: PollSource = {
      name: 'investor-flow',
      periodMs: 1000,
      phases: ['session'],
      fetchEach: async (symbol) => {
        fetched.push(symbol);
        await new Promise<void>((resolve) => clock.setTimeout(resolve, 400));
        if (symbol === '000002') throw new Error('no data');
        return info(symbol, clock.now());
      },
    };
    const top: PollSource = { name: 'ranking:P00101', periodMs: 60_000, phases: ['session'], fetch: async () => ranking('P00101', ['000001', '000002', '000003'], clock.now()) };
    const stream$ = createMarketStream({
      clock,
      calendar: { isOpen: () => true },
      realtime$: new Subject<RealtimeEvent>(),
      polls: [top, sweep],
      board,
      onUniverseDiff: () => undefined,
      onError: (source) => errors.push(source),
      onLate: (source) => late.push(source),
    });
    const events: MarketEvent[] = [];
    const sub = stream$.subscribe((e) => events.push(e));
    await settle(clock, 2500);
    sub.unsubscribe();
    // t=0: empty universe (the sweep ticks before the ranking's request); t=1 s: three symbols, 1.2 s long.
    expect(fetched.slice(0, 3)).toEqual(['000001', '000002', '000003']);
    expect(errors).toContain('investor-flow:000002');
    expect(late).toContain('investor-flow');
    const state = board.list().find((p) => p.name === 'investor-flow')!;
    expect(state.lateTicks).toBeGreaterThan(0);
    expect(state.lastAt).toBe(T0 + 2200);
    expect(events.filter((e) => e.kind === 'info').map((e) => (e as BasicInfoEvent).symbol)).toEqual(['000001', '000003']);
  });

  it('the stock master loads at start, retries each tick until it has, then once a KST day after refreshAt', async () => {
    const settings = kernelSettings(testConfig({ universe: { stockMaster: { markets: ['0'], refreshAt: '07:00' } } }));
    let answers = 0;
    let fail = 1;
    const brokers = {
      kiwoom: {
        ka10099: async () => {
          if (fail-- > 0) throw new Error('down');
          answers++;
          return { data: { list: [] }, pages: 1, stop: 'end', receivedAt: clock.now() };
        },
      },
      clock: createVirtualClock(T0),
    } as unknown as BrokerClients;
    const clock = brokers.clock as VirtualClock;
    const [poll] = buildMarketSources(settings, brokers, ['stock-master']);
    expect(poll).toMatchObject({ name: 'stock-master', periodMs: 300_000, staleAfterMs: 86_400_000 + 600_000 });
    const loads: number[] = [];
    const stream$ = createMarketStream({ clock, calendar: { isOpen: () => false }, realtime$: new Subject<RealtimeEvent>(), polls: [poll!], onUniverseDiff: () => undefined, onError: () => undefined });
    const sub = stream$.subscribe((e) => e.kind === 'stock-master' && loads.push(clock.now() - T0));
    // Started Monday 10:00 KST: fails at once, loads 5 minutes later (closed calendar or not), then
    // not again until Tuesday 07:00.
    await settle(clock, 24 * 3600_000);
    sub.unsubscribe();
    expect(loads).toEqual([300_000, 21 * 3600_000]);
    expect(answers).toBe(2);
  });
});
