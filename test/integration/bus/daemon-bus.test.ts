import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisStreamsBus } from '../../../src/adapters/bus/redis-streams.js';
import type { BusAdapter, BusEntry } from '../../../src/core/ports/bus.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { runFor, startDaemonOnSim, turns, type DaemonOnSim } from '../../resilience/daemon-on-sim.js';
import { hasRedis, startRedis, warnIfNoRedis, type RedisServer } from '../../support/bus/redis-server.js';

warnIfNoRedis('bus tests in test/integration/bus/daemon-bus.test.ts');

const START = Date.UTC(2026, 10, 20, 0, 0, 0); // Friday 09:00 KST

/** Real time, bounded: the bus reconnects to a real process on its own schedule. */
async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!ok()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function readAll(bus: BusAdapter, stream: string): Promise<BusEntry[]> {
  const out: BusEntry[] = [];
  let after = '0-0';
  for (;;) {
    const page = await bus.read(stream, after, 1000, 0);
    if (page.length === 0) return out;
    out.push(...page);
    after = (page[page.length - 1] as BusEntry).entryId;
  }
}

describe.skipIf(!hasRedis)('the daemon on the bus (real redis-server): signals through the outbox, market events egress', () => {
  const clock = createVirtualClock(START);
  let run: DaemonOnSim | undefined;
  let redis: RedisServer | undefined;
  let reader: BusAdapter | undefined;
  afterAll(async () => {
    await run?.daemon.stop('test over');
    await run?.sim.close();
    await reader?.close();
    await redis?.stop();
    if (run) rmSync(run.dataDir, { recursive: true, force: true });
  });

  it('Redis down at start, down a minute mid-session, restarted empty: signals keep being stored, the sink catches up, no id lost or doubled', { timeout: 120_000 }, async () => {
    redis = await startRedis();
    await redis.stop(); // down at start
    run = await startDaemonOnSim({
      clock,
      sim: { seed: 'bus', tradesPerSecond: 40, kiwoomCredentials: [{ appkey: 'KWKEY-bus', secretkey: 'KWSECRET-bus' }] },
      fileConfig: {
        calendar: { kind: 'always-open' },
        kis: { enabled: false },
        // Leases on (the default): an unreachable Redis leaves the key in use (fail-open), so the feed and
        // the signals go on through every outage below.
        bus: { redis: { url: redis.url }, origin: 'ingest-a', events: { enabled: true } },
        notify: { sinks: [{ type: 'bus', name: 'bus' }] },
      },
      credentials: { KIWOOM_APPKEY: 'KWKEY-bus', KIWOOM_SECRETKEY: 'KWSECRET-bus' },
    });
    const { daemon } = run;
    const bus = daemon.bus;
    expect(bus).not.toBeNull();
    // A key waits a third of the lease TTL (10 s) of bus silence before it is used unverified.
    await runFor(clock, 60_000, 250, 20);
    const whileDown = daemon.signalsCommitted();
    expect(whileDown).toBeGreaterThan(0);
    expect(daemon.observability.health().reasons).toContain('bus unreachable: signals wait in the outbox, market events are dropped');
    // The egress's worker thread drops once its first connection attempt has failed (its start may lag under load).
    await until('the egress drops while Redis is down', () => (bus?.egressStats()?.dropped ?? 0) > 0);
    expect(bus?.egressStats()?.published).toBe(0);

    await redis.start();
    await until('the daemon reconnects', () => bus?.adapter.status().connected === true);
    reader = createRedisStreamsBus({ url: redis.url, reconnectCapMs: 50 });
    await until('the reader connects', () => reader?.status().connected === true);
    await runFor(clock, 30_000, 250, 20);
    // The outbox has caught up (nothing pending, no batch in flight) before the stream is read.
    const settled = async (): Promise<void> => {
      // Virtual time moves in small steps (the dispatcher's timers run on it) until the outbox is empty and idle.
      const end = performance.now() + 20_000;
      while (!(daemon.notify?.notifier.inFlight() === 0 && daemon.notify.notifier.status().every((s) => s.depth === 0))) {
        if (performance.now() > end) throw new Error('timed out waiting for the bus sink to catch up');
        clock.tick(50);
        await turns(5);
      }
    };
    await settled();
    const first = await readAll(reader, 'krx:signals');
    // Every signal stored while Redis was down is now on the stream, once, in commit order.
    const db = (): string[] => {
      const d = new Database(join(run?.dataDir ?? '', 'signals.db'), { readonly: true });
      const ids = d.prepare("SELECT item_id FROM outbox WHERE sink = 'bus' AND state = 'sent' ORDER BY seq").pluck().all() as string[];
      d.close();
      return ids;
    };
    const sentBefore = db();
    expect(sentBefore.length).toBeGreaterThanOrEqual(whileDown);
    expect(first.map((e) => e.envelope.id)).toEqual(sentBefore);
    const e0 = first[0]?.envelope;
    expect(e0).toMatchObject({ kind: 'signal', origin: 'ingest-a', venue: expect.stringMatching(/^(KRX|NXT|SOR)$/) });
    const payload = JSON.parse(e0?.payload ?? '{}') as { id: string; tsEvent: number; strategy: string };
    expect(payload.id).toBe(e0?.id);
    expect(e0?.topic).toBe(`signals.${payload.strategy}`);
    expect(e0?.tsEvent).toBe(payload.tsEvent);
    // Market events flow too (the order book stays out by default).
    // The egress worker publishes on its own thread and schedule: wait for it (bounded, real time).
    const end = performance.now() + 20_000;
    let market = await reader.length('krx:market');
    while (market <= 100 && performance.now() < end) {
      await runFor(clock, 1_000, 250, 20);
      market = await reader.length('krx:market');
    }
    expect(market).toBeGreaterThan(100);
    expect(bus?.egressStats()?.published).toBeGreaterThan(100);
    // A consumer group (a dashboard) appears in the metrics with its pending entries and lag.
    const admin = createClient({ url: redis.url, RESP: 2 });
    await admin.connect();
    await admin.sendCommand(['XGROUP', 'CREATE', 'krx:signals', 'dash', '0']);
    await admin.sendCommand(['XREADGROUP', 'GROUP', 'dash', 'c1', 'COUNT', '1', 'STREAMS', 'krx:signals', '>']);
    admin.destroy();
    await runFor(clock, 6_000, 250, 20);
    await settled();
    await until('the group metrics', () => /^krx_bus_group_pending\{stream="krx:signals",group="dash"\} 1$/m.test(daemon.observability.metrics.render()));
    expect(daemon.observability.metrics.render()).toMatch(/^krx_bus_group_lag\{stream="krx:signals",group="dash"\} [1-9]\d*$/m);
    expect(daemon.observability.metrics.render()).toMatch(/^krx_bus_connected 1$/m);

    // Down for a minute mid-session: the daemon keeps producing and storing.
    const committedBefore = daemon.signalsCommitted();
    await settled();
    const sentBeforeStop = db(); // on the server that is about to lose everything
    await redis.stop();
    await runFor(clock, 60_000, 250, 20);
    expect(daemon.signalsCommitted()).toBeGreaterThan(committedBefore);
    const pendingWhileDown = (() => {
      const d = new Database(join(run.dataDir, 'signals.db'), { readonly: true });
      const n = d.prepare("SELECT count(*) FROM outbox WHERE sink = 'bus' AND state = 'pending'").pluck().get() as number;
      d.close();
      return n;
    })();
    expect(pendingWhileDown).toBeGreaterThan(0);

    // Restarted empty: what was pending goes out; nothing sent before is sent again.
    await redis.start();
    await until('the daemon reconnects', () => bus?.adapter.status().connected === true);
    await until('the reader reconnects', () => reader?.status().connected === true);
    await runFor(clock, 30_000, 250, 20);
    await daemon.stop('test over');
    await turns(20);
    const after = await readAll(reader, 'krx:signals');
    const sentAll = db();
    const ids = after.map((e) => e.envelope.id);
    expect(ids).toEqual(sentAll.slice(sentBeforeStop.length));
    expect(ids.length).toBeGreaterThanOrEqual(pendingWhileDown);
    expect(new Set([...sentBeforeStop, ...ids]).size).toBe(sentBeforeStop.length + ids.length);
    const d = new Database(join(run.dataDir, 'signals.db'), { readonly: true });
    const stored = d.prepare('SELECT count(*) FROM signals').pluck().get() as number;
    const left = d.prepare("SELECT count(*) FROM outbox WHERE sink = 'bus' AND state != 'sent'").pluck().get() as number;
    d.close();
    expect(sentAll.length + left).toBe(stored);
    expect(left).toBeLessThan(10); // only what was committed as the daemon stopped (sent on the next start)
  });
});
