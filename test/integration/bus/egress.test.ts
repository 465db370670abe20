import { Subject } from 'rxjs';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStreamsBus } from '../../../src/adapters/bus/redis-streams.js';
import { startEgress, topicOf } from '../../../src/app/bus/egress.js';
import { busSchema } from '../../../src/config/bus-schema.js';
import { systemClock } from '../../../src/core/clock.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { MarketEvent, TradeEvent } from '../../../src/core/market.js';
import type { BusAdapter, BusEntry } from '../../../src/core/ports/bus.js';
import { hasRedis, startRedis, warnIfNoRedis, type RedisServer } from '../../support/bus/redis-server.js';

warnIfNoRedis('bus tests in test/integration/bus/egress.test.ts');

const trade = (i: number): TradeEvent => ({
  kind: 'trade', symbol: '005930', venue: 'KRX', price: 70_000 + i, change: 100, changeRate: 0.14, sign: 2, cumVolume: 1000 + i, cumValue: 70_000_000, open: 69_900, high: 70_500, low: 69_800, ask: 70_100, bid: 70_000,
  volume: 10, side: 'buy', strength: 101.5, tradeVenue: 'KRX', sessionCode: '2', tsEvent: 1_767_225_600_000 + i, tsRecv: 1_767_225_600_003 + i,
});

async function until(ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await ok())) {
    if (performance.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.skipIf(!hasRedis)('market-event egress to a real redis-server', () => {
  let server: RedisServer;
  let bus: BusAdapter;
  beforeAll(async () => {
    server = await startRedis();
    bus = createRedisStreamsBus({ url: server.url, reconnectCapMs: 50 });
    await until(() => bus.status().connected);
  });
  afterAll(async () => {
    await bus?.close();
    await server?.stop();
  });

  it('publishes each event as an envelope in order, JSON payload equal to the event; the order book stays out by default', async () => {
    const events$ = new Subject<MarketEvent>();
    const config = busSchema.parse({ events: { enabled: true, stream: 'm:order' } }).events;
    const egress = startEgress({ url: server.url, config, origin: 'node-x', events$, clock: systemClock, log: silentLogger });
    const book = { kind: 'raw', type: '0D', symbol: '005930', values: { '41': '70100' }, tsEvent: 1, tsRecv: 1 } as MarketEvent;
    for (let i = 0; i < 50; i++) events$.next(i === 10 ? book : trade(i));
    await until(() => egress.stats().published === 49);
    const entries: readonly BusEntry[] = await bus.read('m:order', '0-0', 100, 0);
    expect(entries.map((e) => JSON.parse(e.envelope.payload) as MarketEvent)).toEqual([...Array(50).keys()].filter((i) => i !== 10).map(trade));
    expect(entries[0]?.envelope).toMatchObject({ topic: 'kiwoom.realtime.0B', kind: 'trade', venue: 'KRX', tsEvent: trade(0).tsEvent, tsRecv: trade(0).tsRecv, seq: 1, origin: 'node-x' });
    expect(egress.stats()).toMatchObject({ published: 49, dropped: 0, filtered: 1 });
    expect(topicOf(book)).toBe('kiwoom.realtime.0D');
    await egress.close();
  });

  it('include / exclude filters by kind or topic', async () => {
    const events$ = new Subject<MarketEvent>();
    const config = busSchema.parse({ events: { enabled: true, stream: 'm:filter', include: ['kiwoom.realtime.0A'], exclude: [] } }).events;
    const egress = startEgress({ url: server.url, config, origin: 'n', events$, clock: systemClock, log: silentLogger });
    events$.next(trade(1));
    events$.next({ ...trade(2), kind: 'indicative' } as unknown as MarketEvent);
    await until(() => egress.stats().published === 1);
    expect(egress.stats().filtered).toBe(1);
    expect((await bus.read('m:filter', '0-0', 10, 0)).map((e) => e.envelope.kind)).toEqual(['indicative']);
    await egress.close();
  });

  it('never waits for a stalled Redis: a full queue drops and counts, the seq shows the gap, and publishing resumes', async () => {
    const admin = createClient({ url: server.url, RESP: 2 });
    await admin.connect();
    const events$ = new Subject<MarketEvent>();
    const config = busSchema.parse({ events: { enabled: true, stream: 'm:stall', queueLimit: 100, batchMax: 50 } }).events;
    const egress = startEgress({ url: server.url, config, origin: 'n', events$, clock: systemClock, log: silentLogger });
    await admin.sendCommand(['CLIENT', 'PAUSE', '1500', 'WRITE']); // Redis stalls writes for 1.5 s
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) events$.next(trade(i));
    const spent = performance.now() - t0;
    expect(spent).toBeLessThan(1000); // the producer's 10 000 pushes never waited for the pause
    expect(egress.stats().dropped).toBeGreaterThanOrEqual(10_000 - 100);
    await until(() => egress.stats().queued === 0);
    for (let i = 10_000; i < 10_010; i++) events$.next(trade(i));
    await until(() => egress.stats().queued === 0 && egress.stats().published + egress.stats().dropped === 10_010);
    const seqs = (await bus.read('m:stall', '0-0', 20_000, 0)).map((e) => e.envelope.seq);
    expect(seqs.length).toBe(egress.stats().published);
    expect(seqs.slice(-10)).toEqual([...Array(10).keys()].map((i) => 10_001 + i));
    expect(seqs.some((s, i) => i > 0 && s !== (seqs[i - 1] as number) + 1)).toBe(true); // the gap
    await egress.close();
    await admin.sendCommand(['CLIENT', 'UNPAUSE']);
    admin.destroy();
  });

  it('takes at most maxRate events a second (a quarter second of burst at once); the rest are dropped as over the rate', async () => {
    const events$ = new Subject<MarketEvent>();
    const clock = createVirtualClock(Date.UTC(2026, 0, 5));
    const config = busSchema.parse({ events: { enabled: true, stream: 'm:rate', maxRate: 400, flushMs: 1 } }).events;
    const egress = startEgress({ url: server.url, config, origin: 'n', events$, clock, log: silentLogger });
    for (let i = 0; i < 300; i++) events$.next(trade(i)); // one turn: the burst (100) goes
    expect(egress.stats()).toMatchObject({ queued: 100, buffers: 0 }); // gathered, not sent inside the turn
    await until(() => egress.stats().queued === 0 && egress.stats().published === 100);
    expect(egress.stats()).toMatchObject({ published: 100, dropped: 200, overRate: 200 });
    clock.tick(100); // 40 more tokens
    for (let i = 300; i < 400; i++) events$.next(trade(i));
    await until(() => egress.stats().queued === 0 && egress.stats().published === 140);
    clock.tick(10_000); // refills to the burst, not beyond
    for (let i = 400; i < 700; i++) events$.next(trade(i));
    await until(() => egress.stats().queued === 0 && egress.stats().published === 240);
    expect(egress.stats()).toMatchObject({ published: 240, dropped: 460, overRate: 460 });
    const seqs = (await bus.read('m:rate', '0-0', 1000, 0)).map((e) => e.envelope.seq);
    expect(seqs.slice(0, 3)).toEqual([1, 2, 3]);
    expect(seqs.slice(100, 102)).toEqual([301, 302]); // the gap shows where the bound dropped
    await egress.close();
  });

  it('keeps the buffers it hands over bounded while Redis stalls: the few events of a turn wait in the open buffer', async () => {
    const admin = createClient({ url: server.url, RESP: 2 });
    await admin.connect();
    const events$ = new Subject<MarketEvent>();
    const config = busSchema.parse({ events: { enabled: true, stream: 'm:buffers', queueLimit: 3000, batchMax: 50 } }).events;
    const egress = startEgress({ url: server.url, config, origin: 'n', events$, clock: systemClock, log: silentLogger });
    await until(async () => {
      events$.next(trade(0));
      await new Promise((r) => setTimeout(r, 5));
      return egress.stats().published > 0 && egress.stats().queued === 0;
    });
    const start = egress.stats();
    await admin.sendCommand(['CLIENT', 'PAUSE', '2000', 'WRITE']);
    let most = 0;
    // 400 turns of 5 events: before the bound each turn sent its own 188 kB buffer.
    for (let turn = 0; turn < 400; turn++) {
      for (let i = 0; i < 5; i++) events$.next(trade(i));
      await new Promise<void>((r) => setImmediate(r));
      most = Math.max(most, egress.stats().buffers);
    }
    expect(most).toBeLessThanOrEqual(Math.ceil(3000 / 1024) + 1);
    expect(egress.stats().queued).toBeLessThanOrEqual(3000);
    await admin.sendCommand(['CLIENT', 'UNPAUSE']);
    await until(() => egress.stats().queued === 0 && egress.stats().buffers === 0);
    const s = egress.stats();
    expect(s.published - start.published + s.dropped - start.dropped).toBe(2000); // every event accounted for
    expect(s.published - start.published).toBeGreaterThan(0);
    await egress.close();
    admin.destroy();
  });
});
