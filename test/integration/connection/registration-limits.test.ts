import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { createRealtimeConnection } from '../../../src/app/realtime-connection.js';
import { createRandom } from '../../../src/core/random.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { decideHealth } from '../../../src/observability/health.js';
import { CONNECTION_DEFAULTS } from '../../support/connection.js';
import { SESSION_START, startRealtimeHarness, TEST_SETTINGS, type RealtimeHarness } from '../../support/realtime-harness.js';

let h: RealtimeHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const health = (harness: RealtimeHarness) => decideHealth({ sessionOpen: true, connection: harness.conn.status() });
const regsSent = (harness: RealtimeHarness): number => harness.timeline.filter((t) => 'sent' in t && t.sent.trnm === 'REG').length;

describe('REG limits against the simulator', () => {
  it('every REG rejected from the start: 503 with the code, retried with a doubling backoff, recovers when the broker accepts', async () => {
    h = await startRealtimeHarness({ sim: { regRatePerSecond: 0 }, settings: { regRetryBaseMs: 2_000, regRetryCapMs: 16_000 } });
    const harness = h;
    const counted = (): number => harness.sim.faults.counters().regRejections['105110'] ?? 0;
    harness.conn.start();
    await harness.until(() => harness.conn.status().phase === 'live' && counted() === 1, 'the first REG rejected');
    // Live, yet nothing is registered: health says so with the code instead of reading as healthy.
    expect(harness.serverPairs()).toEqual([]);
    expect(harness.conn.status().subscriptions).toMatchObject({ wantedPairs: 6, ackedPairs: 0, rejectedPairs: 6, lastRejection: { code: '105110' } });
    const sick = health(harness);
    expect(sick.healthy).toBe(false);
    expect(sick.reasons).toEqual([expect.stringMatching(/^6 of 6 subscriptions not acknowledged \(REG rejected: 105110 /)]);
    expect(harness.logs.some((l) => l.fields.event === 'registration.rejected' && l.fields.returnCode === '105110')).toBe(true);
    expect(harness.conn.stats.regRejectionsByCode['105110']).toBe(1);

    // Retries at 2, 4, 8, 16, 16 s (doubling, capped), each rejected while the broker still refuses.
    for (const wait of [2_000, 4_000, 8_000, 16_000, 16_000]) {
      const before = counted();
      await harness.clock.tickAsync(wait - 1);
      await harness.until(() => true, 'turns');
      expect(counted()).toBe(before);
      await harness.clock.tickAsync(1);
      await harness.until(() => counted() === before + 1, `the retry after ${wait} ms`);
    }
    expect(health(harness).healthy).toBe(false);

    harness.sim.faults.setRegLimits({ regPerSecond: 5 });
    await harness.clock.tickAsync(16_000);
    await harness.settled();
    await harness.until(() => harness.conn.status().subscriptions.ackedPairs === 6, 'acknowledged');
    expect(harness.conn.status().subscriptions).toMatchObject({ wantedPairs: 6, ackedPairs: 6, rejectedPairs: 0 });
    expect(health(harness)).toMatchObject({ healthy: true, reasons: [] });
    expect(harness.sim.faults.counters().connectionsOpened).toBe(1);
    // One REG on LOGIN, five rejected retries, one accepted: no storm.
    expect(regsSent(harness)).toBe(7);
  });

  it('the item-less registration counts as an item by default (kept within a cap the simulator also counts it in); uncounted it can trip the cap, rejected and retried', async () => {
    const symbols = ['005930', '000660', '035420'];
    h = await startRealtimeHarness({ symbols, itemlessTypes: ['0s'], sim: { wsMaxItems: 3 }, settings: { maxItems: 3 } });
    const counted = h;
    counted.conn.start();
    await counted.settled();
    expect(counted.serverPairs()).toEqual(['000660|0A', '000660|0B', '005930|0A', '005930|0B', '|0s']);
    expect(counted.conn.subscriptionStats.leftOut).toBe(1);
    expect(counted.sim.faults.counters().regRejections).toEqual({});
    await counted.close();

    h = await startRealtimeHarness({ symbols, itemlessTypes: ['0s'], sim: { wsMaxItems: 3 }, settings: { maxItems: 3, itemlessCountsAsItem: false, regRetryBaseMs: 2_000 } });
    const uncounted = h;
    uncounted.conn.start();
    await uncounted.until(() => uncounted.conn.status().phase === 'live' && uncounted.conn.status().subscriptions.rejectedPairs === 1, 'the item-less REG rejected');
    expect(uncounted.conn.subscriptions.rejectedPairs()).toMatchObject([{ pair: '|0s', code: '105118' }]);
    expect(uncounted.serverPairs()).not.toContain('|0s');
    // Retried like any rejected pair; room on the server (a symbol leaves) lets it in.
    uncounted.conn.applyDiff({ add: [], remove: ['035420'] });
    await uncounted.clock.tickAsync(2_000);
    await uncounted.until(() => uncounted.serverPairs().includes('|0s'), 'the item-less pair registered on retry');
    expect(uncounted.conn.status().subscriptions).toMatchObject({ rejectedPairs: 0, ackedPairs: 5 });
  });

  it('pacing keeps a burst of REG/REMOVE under the broker rate: no 105110, while unpaced it trips', async () => {
    const run = async (regIntervalMs: number): Promise<{ rejected: number; regs: number; acked: number }> => {
      const harness = await startRealtimeHarness({ regChunkSize: 1, sim: { regRatePerSecond: 5 }, settings: { regIntervalMs } });
      try {
        harness.conn.start();
        await harness.until(() => harness.conn.status().phase === 'subscribing', 'subscribing');
        harness.conn.applyDiff({ add: ['035720', '373220', '207940', '051910', '006400', '068270', '105560', '055550'], remove: ['000660'] });
        for (let i = 0; i < 40 && !(harness.conn.status().phase === 'live' && harness.conn.status().subscriptions.ackedPairs === 20); i++) {
          await harness.clock.tickAsync(250);
          await harness.until(() => true, 'turns');
        }
        const c = harness.sim.faults.counters();
        return { rejected: c.regRejections['105110'] ?? 0, regs: c.regs + c.removes, acked: harness.conn.status().subscriptions.ackedPairs };
      } finally {
        await harness.close();
      }
    };
    const paced = await run(CONNECTION_DEFAULTS.regIntervalMs);
    expect(paced.rejected).toBe(0);
    expect(paced.acked).toBe(20);
    expect(paced.regs).toBeGreaterThanOrEqual(11);
    const unpaced = await run(0);
    expect(unpaced.rejected).toBeGreaterThan(0);
  });

  it('the REMOVE-all at stop goes out whole although paced', async () => {
    h = await startRealtimeHarness({ regChunkSize: 1, settings: { regIntervalMs: CONNECTION_DEFAULTS.regIntervalMs } });
    const harness = h;
    harness.conn.start();
    for (let i = 0; i < 20 && !(harness.conn.status().phase === 'live' && harness.serverPairs().length === 6); i++) {
      await harness.clock.tickAsync(CONNECTION_DEFAULTS.regIntervalMs);
      await harness.until(() => true, 'turns');
    }
    expect(harness.serverPairs()).toHaveLength(6);
    harness.conn.applyDiff({ add: [], remove: harness.conn.subscriptions.wantedItems() });
    await harness.conn.stop();
    await harness.until(() => harness.sim.faults.counters().removes === 3, 'three REMOVEs');
  });

  it('never asks for more than connection.maxItems items; the simulator would refuse with 105118', async () => {
    const symbols = Array.from({ length: 12 }, (_, i) => String(100_000 + i));
    h = await startRealtimeHarness({ symbols, sim: { wsMaxItems: 10 }, settings: { maxItems: 10 } });
    const harness = h;
    harness.conn.start();
    await harness.settled();
    expect(new Set(harness.serverPairs().map((p) => p.split('|')[0])).size).toBe(10);
    expect(harness.conn.subscriptions.refusedItems()).toEqual(['100010', '100011']);
    expect(harness.conn.subscriptionStats.leftOut).toBe(2);
    expect(harness.sim.faults.counters().regRejections).toEqual({});
    expect(harness.logs.some((l) => l.fields.event === 'universe.over-budget' && l.fields.leftOut === 2)).toBe(true);
    // The limit is real: a client that ignored it would be refused.
    harness.sim.faults.setRegLimits({ maxItems: 5 });
    harness.conn.applyDiff({ add: [], remove: ['100000'] });
    harness.conn.applyDiff({ add: ['200000'], remove: [] });
    await harness.until(() => (harness.sim.faults.counters().regRejections['105118'] ?? 0) === 1, '105118');
  });
});

describe('acknowledged but silent', () => {
  it('a symbol acknowledged and then silent for connection.silentSymbolMs during the session is reported once per silence, per symbol', async () => {
    h = await startRealtimeHarness({ sim: { tradesPerSecond: 0 }, settings: { silentSymbolMs: 60_000 } });
    const harness = h;
    harness.conn.start();
    await harness.settled();
    await harness.clock.tickAsync(59_000);
    expect(harness.conn.subscriptionStats.symbolSilences).toEqual({});
    await harness.clock.tickAsync(20_000);
    expect(harness.conn.subscriptionStats.symbolSilences).toEqual({ '000660': 1, '005930': 1, '035420': 1 });
    expect(harness.logs.filter((l) => l.fields.event === 'symbol.silent').map((l) => l.fields.symbol).sort()).toEqual(['000660', '005930', '035420']);
    // Still silent: not reported again; trades resume, then stop: a new silence is counted.
    await harness.clock.tickAsync(120_000);
    expect(harness.conn.subscriptionStats.symbolSilences['005930']).toBe(1);
    harness.sim.faults.setTradesPerSecond(200);
    await harness.clock.tickAsync(2_000);
    await harness.until(() => harness.events.some((e) => e.symbol === '005930'), 'a trade');
    harness.sim.faults.setTradesPerSecond(0);
    await harness.clock.tickAsync(80_000);
    expect(harness.conn.subscriptionStats.symbolSilences['005930']).toBe(2);
  });
});

describe('entries for symbols never registered', () => {
  it('are dropped and counted at the connection output, never reaching the stream', async () => {
    // A fake broker (a third-party service) that acknowledges everything and streams one wanted and one unwanted symbol.
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const entry = (item: string, price: string) => ({ type: '0B', name: '주식체결', item, values: { '20': '092959', '10': price, '15': '+25', '13': '1200', '11': '+600', '12': '+0.90' } });
    server.on('connection', (ws) => {
      ws.on('message', (raw) => {
        const msg = JSON.parse(String(raw)) as { trnm: string };
        ws.send(JSON.stringify({ trnm: msg.trnm, return_code: 0, return_msg: '' }));
        if (msg.trnm === 'REG') {
          ws.send(JSON.stringify({ trnm: 'REAL', data: [entry('005930', '+86800'), entry('999999', '+1000')] }));
          ws.send(JSON.stringify({ trnm: 'REAL', data: [entry('999999', '+1001')] }));
        }
        // The broker's stream of a symbol we just removed, still on the wire when the REMOVE lands.
        if (msg.trnm === 'REMOVE') ws.send(JSON.stringify({ trnm: 'REAL', data: [entry('005930', '+86900')] }));
      });
    });
    const clock = createVirtualClock(SESSION_START);
    const conn = createRealtimeConnection({
      url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
      clock,
      random: createRandom(1),
      settings: TEST_SETTINGS,
      tokens: { getToken: async () => 'token', invalidate: () => undefined },
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      realtimeTypes: ['0B'],
      regChunkSize: 100,
      groupNo: '1',
    });
    const seen: string[] = [];
    conn.events$.subscribe((e) => seen.push(e.symbol));
    try {
      conn.applyDiff({ add: ['005930'], remove: [] });
      conn.start();
      for (let i = 0; i < 2_000 && conn.subscriptionStats.unregisteredEntries < 2; i++) await new Promise<void>((r) => setImmediate(r));
      expect(conn.subscriptionStats.unregisteredEntries).toBe(2);
      expect(seen).toEqual(['005930']);
      expect(conn.stats.entries).toBe(3);
      // A symbol removed moments ago: its late entries are dropped quietly, not counted as unregistered.
      conn.applyDiff({ add: [], remove: ['005930'] });
      for (let i = 0; i < 2_000 && conn.subscriptionStats.lateEntries < 1; i++) await new Promise<void>((r) => setImmediate(r));
      expect(conn.subscriptionStats.lateEntries).toBe(1);
      expect(conn.subscriptionStats.unregisteredEntries).toBe(2);
      expect(seen).toEqual(['005930']);
    } finally {
      await conn.stop();
      server.close();
    }
  });
});
