import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { HttpTransport } from '../../../src/adapters/kiwoom/transport.js';
import { buildBrokerClients } from '../../../src/app/broker-clients.js';
import { planKernel, startKernel } from '../../../src/app/kernel.js';
import { buildMarketSources } from '../../../src/app/market-sources.js';
import { kernelSettings } from '../../../src/app/settings.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { ProgramMarketCode, RealtimeEvent } from '../../../src/core/market.js';
import type { Signal } from '../../../src/core/signal.js';
import type { VirtualClock } from '../../../src/core/virtual-clock.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import type { UniverseDiff } from '../../../src/pipeline/universe.js';
import { testConfig } from '../../support/config.js';
import { T0, trade } from '../engine/fixtures.js';

/** A Kiwoom host that answers ka90003 with the next list of each market, stamped on the clock. */
function programTopHost(clock: VirtualClock, lists: Record<ProgramMarketCode, string[][]>): HttpTransport {
  return {
    post: async (_path, headers, body) => {
      if (headers['api-id'] !== 'ka90003') throw new Error(`unexpected ${headers['api-id']}`);
      const market = (body as { mrkt_tp: ProgramMarketCode }).mrkt_tp;
      const symbols = lists[market].shift() ?? [];
      const rows = symbols.map((stk_cd, i) => ({
        rank: String(i + 1), stk_cd, stk_nm: `name-${stk_cd}`, cur_prc: '10000', flu_sig: '2', pred_pre: '100', flu_rt: '1.00',
        acc_trde_qty: '1000', prm_sell_amt: '100', prm_buy_amt: String(100 + (symbols.length - i) * 10), prm_netprps_amt: String((symbols.length - i) * 10),
      }));
      const json = { return_code: 0, return_msg: 'ok', prm_netprps_upper_50: rows };
      return { status: 200, headers: {}, text: JSON.stringify(json), json, receivedAt: clock.now() };
    },
    close: async () => undefined,
  };
}

/** The app's wiring (settings, plan, broker clients, sources, kernel) with a fake Kiwoom host. */
function wire() {
  const clock = createVirtualClock(T0);
  const settings = kernelSettings(
    testConfig({ calendar: { kind: 'krx' }, universe: { extraSymbols: ['000001'] }, strategies: [{ id: 'program-momentum', params: { minRankClimb: 1 } }] }, 'live'),
  );
  const plan = planKernel(settings);
  const tokens = { getToken: async () => 'token', invalidate: () => undefined };
  const lists: Record<ProgramMarketCode, string[][]> = { P00101: [['000010'], ['000030', '000010']], P10102: [[], []] };
  const brokers = buildBrokerClients(settings, { clock, log: silentLogger, kiwoom: { baseUrl: 'http://kiwoom.test', transport: programTopHost(clock, lists), tokens }, kis: null });
  const realtime$ = new Subject<RealtimeEvent>();
  const diffs: UniverseDiff[] = [];
  const signals: Signal[] = [];
  const polls = buildMarketSources(settings, brokers, plan.needs);
  const kernel = startKernel(plan, { clock, log: silentLogger, sessionId: 'e2e', seed: 7, realtime$, applyDiff: (d) => diffs.push(d), polls, sink: { write: (s) => signals.push(s) }, startAt: clock.now() });
  return { clock, realtime$, diffs, signals, kernel, polls };
}

/** Lets the fake host's answers and the REST client's promise chain settle on the virtual clock. */
async function settle(clock: VirtualClock, ms: number): Promise<void> {
  await clock.tickAsync(ms);
  for (let i = 0; i < 5; i++) await clock.tickAsync(0);
}

async function scenario(): Promise<{ signals: Signal[]; diffs: UniverseDiff[] }> {
  const w = wire();
  await settle(w.clock, 0); // first polls: baseline
  w.realtime$.next(trade({ symbol: '000030', price: 1000, volume: 100, open: 1000, ts: w.clock.now() }));
  await settle(w.clock, 30_000); // second poll: 000030 enters
  w.realtime$.next(trade({ symbol: '000030', price: 1100, volume: 10, open: 1000, ts: w.clock.now() }));
  w.kernel.stop();
  return { signals: w.signals, diffs: w.diffs };
}

describe('market stream into the strategy host, wired as the app wires it', () => {
  it('polls the sources the needs select: ka90003 per market, no watchlist without KIS', () => {
    expect(wire().polls.map((p) => [p.name, p.periodMs, p.phases])).toEqual([
      ['ranking:P00101', 30_000, ['continuous', 'closing-auction', 'after-hours-close-price', 'after-hours-single-price', 'after-market']],
      ['ranking:P10102', 30_000, ['continuous', 'closing-auction', 'after-hours-close-price', 'after-hours-single-price', 'after-market']],
      // The stock master, always: ticks every 5 minutes, loads at start and once a KST day.
      ['stock-master', 300_000, ['always']],
    ]);
  });

  it('turns polls and trades into signals with the snapshot current, and hands universe diffs over', async () => {
    const { signals, diffs } = await scenario();
    expect(diffs).toEqual([
      { add: ['000001'], remove: [], leftOut: [] },
      { add: ['000010'], remove: [], leftOut: [] },
      { add: ['000030'], remove: [], leftOut: [] },
    ]);
    expect(signals.map((s) => [s.kind, s.symbol, s.price, s.tsEvent - T0])).toEqual([['BUY', '000030', 1100, 30_000]]);
  });

  it('reproduces identical signals on a second run', async () => {
    expect((await scenario()).signals).toEqual((await scenario()).signals);
  });
});
