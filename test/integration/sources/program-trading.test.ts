import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildBrokerClients, createBrokerTokenSource, createTokenIssuers, networkTransports, type BrokerEndpoints } from '../../../src/app/broker-clients.js';
import { planKernel, startKernel } from '../../../src/app/kernel.js';
import { buildMarketSources } from '../../../src/app/market-sources.js';
import { kernelSettings } from '../../../src/app/settings.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { MarketEvent, ProgramTradingEvent, RealtimeEvent } from '../../../src/core/market.js';
import { createRandom } from '../../../src/core/random.js';
import type { Signal } from '../../../src/core/signal.js';
import { STRATEGY_API_VERSION, defineStrategy } from '../../../src/core/strategy.js';
import { SIM_KIWOOM_APPKEY, SIM_KIWOOM_SECRETKEY } from '../../../src/sim/index.js';
import { testConfig } from '../../support/config.js';
import { drive, startSim } from '../clients/support.js';

/** A test strategy that only names the kind: ALERT on each market's largest program net buy. */
const programFlow = defineStrategy({
  id: 'program-flow',
  version: '1.0.0',
  apiVersion: STRATEGY_API_VERSION,
  params: z.strictObject({}),
  needs: { events: ['program-trading'] },
  create: (ctx) => ({
    onEvent(e) {
      if (e.kind !== 'program-trading' || e.entries.length === 0) return;
      const top = e.entries.reduce((a, b) => (b.programNetBuyAmount > a.programNetBuyAmount ? b : a));
      ctx.emit({ symbol: top.symbol, kind: 'ALERT', price: top.price, details: { market: e.market, netBuy: top.programNetBuyAmount } });
    },
  }),
});

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('a polled TR as a source: ka90004 program trading by stock', () => {
  it('refuses at boot a need no source provides', () => {
    const typo = defineStrategy({ ...programFlow, id: 'typo', needs: { events: ['program-tradin' as 'program-trading'] } });
    const settings = kernelSettings(testConfig({ strategies: [{ id: 'typo' }] }));
    expect(() => planKernel(settings, undefined, [typo])).toThrow(expect.objectContaining({ code: 'E_STRATEGY_DEFINITION', message: expect.stringMatching(/"program-tradin", which no source provides/) }));
  });

  it('is polled because a strategy needs it, and reaches the strategy as domain events', async () => {
    const { sim, clock } = await startSim();
    const settings = kernelSettings(testConfig({ strategies: [{ id: 'program-flow' }] }));
    const plan = planKernel(settings, undefined, [programFlow]);
    const endpoints: BrokerEndpoints = { kiwoom: { restUrl: sim.url, wsUrl: sim.wsUrl, appkey: SIM_KIWOOM_APPKEY, secretkey: SIM_KIWOOM_SECRETKEY }, kis: null };
    const issuer = createTokenIssuers(settings, endpoints, clock).kiwoom;
    const tokens = createBrokerTokenSource('kiwoom', settings, sim.url, SIM_KIWOOM_APPKEY, issuer, { clock, random: createRandom(1), log: silentLogger });
    const brokers = buildBrokerClients(settings, networkTransports(settings, endpoints, { clock, log: silentLogger, tokens: { kiwoom: tokens, kis: null } }));
    closers.push(async () => {
      await tokens.shutdown();
      await brokers.close();
      await issuer.close();
      await sim.close();
    });

    const polls = buildMarketSources(settings, brokers, plan.needs);
    // The universe's own polls, then the strategy's, then the stock master; no watchlist without KIS.
    expect(polls.map((p) => p.name)).toEqual(['ranking:P00101', 'ranking:P10102', 'program-trading:P00101', 'program-trading:P10102', 'stock-master']);

    const signals: Signal[] = [];
    let done!: () => void;
    const twoSignals = new Promise<void>((resolve) => (done = resolve));
    const sink = { write: (s: Signal) => signals.push(s) >= 2 && done() };
    const kernel = startKernel(plan, { clock, log: silentLogger, sessionId: 'ka90004', seed: 1, realtime$: new Subject<RealtimeEvent>(), applyDiff: () => undefined, polls, sink, startAt: clock.now() });
    const seen: MarketEvent[] = [];
    kernel.stream$.subscribe((e) => seen.push(e));
    await drive(clock, twoSignals);
    kernel.stop();

    const flows = seen.filter((e): e is ProgramTradingEvent => e.kind === 'program-trading');
    expect(flows.map((e) => e.market).sort()).toEqual(['P00101', 'P10102']);
    for (const e of flows) {
      expect(e.entries.length).toBeGreaterThan(0);
      for (const entry of e.entries) expect(entry.symbol).toMatch(/^\d{6}$/);
    }
    // Each signal names the largest net buy of the event that caused it, stamped with its arrival.
    expect(signals).toHaveLength(2);
    for (const s of signals) {
      const e = flows.find((f) => f.market === s.details.market)!;
      const best = Math.max(...e.entries.map((x) => x.programNetBuyAmount));
      expect(s).toMatchObject({ strategy: 'program-flow', kind: 'ALERT', tsEvent: e.tsRecv, details: { netBuy: best } });
      expect(e.entries.find((x) => x.symbol === s.symbol)?.programNetBuyAmount).toBe(best);
    }
  });
});
