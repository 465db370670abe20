import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startBusConsumer, type BusConsumer } from '../../../src/app/bus/consumer.js';
import { loadConfig } from '../../../src/config/load.js';
import { packageRoot } from '../../../src/config/package-root.js';
import { systemClock } from '../../../src/core/clock.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createLogger } from '../../../src/observability/logger.js';
import { runFor, startDaemonOnSim, turns, type DaemonOnSim } from '../../resilience/daemon-on-sim.js';
import { hasRedis, startRedis, warnIfNoRedis, type RedisServer } from '../../support/bus/redis-server.js';

warnIfNoRedis('bus tests in test/integration/bus/consumer-mode.test.ts');

const START = Date.UTC(2026, 10, 20, 0, 0, 0); // Friday 09:00 KST

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const end = performance.now() + ms;
  while (!ok()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function signalIds(file: string): string[] {
  const db = new Database(file, { readonly: true });
  const ids = db.prepare('SELECT id FROM signals ORDER BY id').pluck().all() as string[];
  db.close();
  return ids;
}

describe.skipIf(!hasRedis)('start --from-bus: a strategy host fed from the bus (real redis-server)', () => {
  let redis: RedisServer | undefined;
  let ingest: DaemonOnSim | undefined;
  let consumer: BusConsumer | undefined;
  const dirs: string[] = [];
  afterAll(async () => {
    await consumer?.stop('test over');
    await ingest?.daemon.stop('test over');
    await ingest?.sim.close();
    await redis?.stop();
    if (ingest) dirs.push(ingest.dataDir);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('started while Redis is down, then Redis starts empty: the consumer emits exactly the ingest host\'s signals (same ids)', { timeout: 120_000 }, async () => {
    redis = await startRedis();
    await redis.stop();

    // The consumer node: its own data directory and store, no broker credentials, Redis down.
    const dataDir = mkdtempSync(join(tmpdir(), 'krx-bus-consumer-'));
    dirs.push(dataDir);
    const base = JSON.parse(readFileSync(join(packageRoot(), 'config', 'default.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ ...base, mode: 'sim', dataDir, http: { host: '127.0.0.1', port: 0 }, calendar: { kind: 'always-open' }, kis: { enabled: false }, bus: { redis: { url: redis.url }, consumer: { blockMs: 100 } } }));
    const config = loadConfig({ file: join(dataDir, 'config.json'), cwd: dataDir, env: {} });
    const lines: string[] = [];
    const log = createLogger({ level: 'info', clock: systemClock, destination: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream });
    consumer = await startBusConsumer({ config, log, clock: systemClock, version: 'test' });
    await new Promise((r) => setTimeout(r, 300));
    expect(consumer.health().healthy).toBe(false);
    expect(consumer.health().reasons).toContain('bus unreachable: the strategy host waits for events');

    // Redis comes back empty; the ingest node (live mode on the simulator) publishes its events.
    await redis.start();
    const clock = createVirtualClock(START);
    ingest = await startDaemonOnSim({
      clock,
      sim: { seed: 'bus-consumer', tradesPerSecond: 40, kiwoomCredentials: [{ appkey: 'KWKEY-busc', secretkey: 'KWSECRET-busc' }] },
      fileConfig: { calendar: { kind: 'always-open' }, kis: { enabled: false }, bus: { redis: { url: redis.url }, events: { enabled: true } } },
      credentials: { KIWOOM_APPKEY: 'KWKEY-busc', KIWOOM_SECRETKEY: 'KWSECRET-busc' },
    });
    const bus = ingest.daemon.bus;
    await until('the ingest node connects', () => bus?.adapter.status().connected === true);
    await runFor(clock, 90_000, 250, 20);
    await until('the egress drains', () => (bus?.egressStats()?.queued ?? 1) === 0);
    await ingest.daemon.stop('test over');
    await turns(20);
    // After the stop: every event the ingest host saw went out (nothing dropped).
    const egress = bus?.egressStats();
    expect(egress?.dropped).toBe(0);
    expect(egress?.queued).toBe(0);
    expect(egress?.published).toBeGreaterThan(1000);
    const expected = signalIds(join(ingest.dataDir, 'signals.db'));
    expect(expected.length).toBeGreaterThan(10);

    await until('the consumer reads every event', () => consumer?.stats().handled === egress?.published).catch((err: unknown) => {
      throw new Error(`${String(err)}: ${JSON.stringify(consumer?.stats())} published ${egress?.published} ${lines.slice(-5).join('')}`);
    });
    await consumer.caughtUp();
    consumer.store.flush();
    expect(consumer.health().healthy).toBe(true);
    expect(consumer.stats().decodeErrors).toBe(0);
    const got = signalIds(join(dataDir, 'signals.db'));
    expect(got).toEqual(expected);
    expect(consumer.metrics.render()).toMatch(/^krx_bus_consumer_entries_total \d+$/m);
  });
});
