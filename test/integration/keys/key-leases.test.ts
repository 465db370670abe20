import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../../src/app/daemon.js';
import { keyLeaseName } from '../../../src/app/kiwoom-keys.js';
import { loadConfig } from '../../../src/config/load.js';
import { createVirtualClock, type VirtualClock } from '../../../src/core/virtual-clock.js';
import { createLogger } from '../../../src/observability/logger.js';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/index.js';
import { createLogLedger } from '../../../bench/soak/ledger.js';
import { hasRedis, startRedis, warnIfNoRedis, type RedisServer } from '../../support/bus/redis-server.js';
import { LIVE_ON_SIM, writeConfigFile } from '../../support/config.js';

warnIfNoRedis('key lease tests in test/integration/keys/key-leases.test.ts');

const START = Date.UTC(2026, 10, 20, 0, 0, 0); // Friday 09:00 KST
const APPKEY = 'KWKEY-lease';
const SYMBOLS = ['005930', '000660', '035420'];

interface Node {
  daemon: Daemon;
  dataDir: string;
  lines: Array<Record<string, unknown>>;
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A daemon on the one app key, with the bus (and so leases) on `redisUrl`. */
async function node(clock: VirtualClock, sim: SimulatorHandle, redisUrl: string, origin: string): Promise<Node> {
  const dataDir = mkdtempSync(join(tmpdir(), 'krx-lease-'));
  const file = writeConfigFile(dataDir, () => ({
    ...LIVE_ON_SIM,
    dataDir,
    strategies: [],
    universe: { extraSymbols: SYMBOLS, programTopMarkets: [] },
    bus: { redis: { url: redisUrl }, origin, leases: { ttlMs: 9_000, retryBaseMs: 500, retryCapMs: 2_000 } },
  }));
  const config = loadConfig({ file, cwd: dataDir, env: { KIWOOM_APPKEY: APPKEY, KIWOOM_SECRETKEY: 'KWSECRET-lease', KIWOOM_REST_URL: sim.url, KIWOOM_WS_URL: sim.wsUrl } });
  const ledger = createLogLedger({ keepLines: true });
  const daemon = await startDaemon({ config, log: createLogger({ level: 'info', clock, destination: ledger.destination }), clock, version: 'test' });
  let stopped = false;
  cleanup.push(async () => {
    if (!stopped) await daemon.stop('test over');
    rmSync(dataDir, { recursive: true, force: true });
  });
  const n = { daemon, dataDir, lines: ledger.lines };
  Object.defineProperty(n, 'stop', { value: async () => ((stopped = true), await daemon.stop('test')) });
  return n;
}

/** Virtual time in small steps with real pauses between them: Redis answers in real time. */
async function until(clock: VirtualClock, what: string, ok: () => boolean, realMs = 20_000): Promise<void> {
  const end = performance.now() + realMs;
  while (!ok()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await clock.tickAsync(250);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const state = (n: Node): string => n.daemon.keys.keys()[0]?.state ?? 'none';
const loggedIn = (sim: SimulatorHandle): number => sim.faults.registrations().connections.filter((c) => c.loggedIn).length;

describe.skipIf(!hasRedis)('a lease per app key on a real redis-server', () => {
  let redis: RedisServer;

  it('Redis down at start: the key is used unverified (fail-open: the feed never waits for Redis), and its lease is taken once Redis is up', { timeout: 60_000 }, async () => {
    redis = await startRedis();
    cleanup.push(() => redis.stop());
    await redis.stop();
    const clock = createVirtualClock(START);
    const sim = await startSimulator({ clock, seed: 'lease', kiwoomCredentials: [{ appkey: APPKEY, secretkey: 'KWSECRET-lease' }] });
    cleanup.push(() => sim.close());
    const a = await node(clock, sim, redis.url, 'node-a');
    await until(clock, 'the key in use while Redis is down', () => state(a) === 'live' && a.daemon.keys.keys()[0]?.ackedPairs === 6);
    expect(a.daemon.keys.keys()[0]?.lease).toBe('unverified');
    expect(a.lines.some((l) => l.event === 'key.lease-unverified' && l.code === 'E_KEY_LEASE')).toBe(true);
    expect(a.lines.some((l) => l.event === 'key.lease-waiting' && l.code === 'E_KEY_LEASE' && l.inUse === true)).toBe(true);

    await redis.start();
    await until(clock, 'the lease taken once Redis is up', () => a.daemon.keys.keys()[0]?.lease === 'held');
    const check = createClient({ url: redis.url });
    await check.connect();
    cleanup.push(async () => void check.destroy());
    expect(await check.get(`lease:${keyLeaseName(sim.url, APPKEY)}`)).toMatch(/^node-a:\d+:/);
    // The key never stopped: one token, one socket, still live.
    expect(state(a)).toBe('live');
    expect(sim.faults.counters().tokenIssuances.kiwoom).toBe(1);
    expect(sim.faults.counters().connectionsOpened).toBe(1);
  });

  it('two daemons on one key: one uses it, the other waits; a lost lease stops the key; a stop hands it over', { timeout: 90_000 }, async () => {
    redis = await startRedis();
    cleanup.push(() => redis.stop());
    const clock = createVirtualClock(START);
    const sim = await startSimulator({ clock, seed: 'lease2', kiwoomCredentials: [{ appkey: APPKEY, secretkey: 'KWSECRET-lease' }] });
    cleanup.push(() => sim.close());
    const a = await node(clock, sim, redis.url, 'node-a');
    await until(clock, 'a live', () => state(a) === 'live');
    const b = await node(clock, sim, redis.url, 'node-b');
    for (let i = 0; i < 40; i++) {
      await clock.tickAsync(250);
      await new Promise((r) => setTimeout(r, 2));
    }
    // Never two owners: b waits, one token, one socket, no R10001 kick.
    expect(state(a)).toBe('live');
    expect(state(b)).toBe('waiting-lease');
    expect(b.daemon.observability.health().reasons).toEqual(expect.arrayContaining([expect.stringMatching(/waiting for its lease \(another node holds it\)/)]));
    expect(sim.faults.counters().tokenIssuances.kiwoom).toBe(1);
    expect(sim.faults.counters().duplicateLoginKicks).toBe(0);
    expect(loggedIn(sim)).toBe(1);

    // Another node takes the lease (as after a partition): a's next renewal is refused, a stops using the key.
    const check = createClient({ url: redis.url });
    await check.connect();
    cleanup.push(async () => void check.destroy());
    const lease = `lease:${keyLeaseName(sim.url, APPKEY)}`;
    await check.set(lease, 'node-elsewhere', { PX: 60_000 });
    await until(clock, 'a stops using the key', () => state(a) === 'waiting-lease' && loggedIn(sim) === 0);
    expect(a.lines.some((l) => l.event === 'lease.lost')).toBe(true);
    expect(a.lines.some((l) => l.event === 'key.stopped')).toBe(true);
    expect(state(b)).toBe('waiting-lease');

    // The other node goes away: exactly one of a and b takes the key again.
    await check.del(lease);
    await until(clock, 'one daemon uses the key again', () => [a, b].filter((n) => state(n) === 'live').length === 1 && loggedIn(sim) === 1);
    const [holder, waiter] = state(a) === 'live' ? [a, b] : [b, a];
    expect(state(waiter)).toBe('waiting-lease');
    expect(sim.faults.counters().duplicateLoginKicks).toBe(0);

    // A graceful stop releases the lease: the waiting daemon takes over.
    await (holder as unknown as { stop(): Promise<void> }).stop();
    await until(clock, 'the other daemon takes the key', () => state(waiter) === 'live' && waiter.daemon.keys.keys()[0]?.ackedPairs === 6);
    expect(loggedIn(sim)).toBe(1);
    expect(sim.faults.counters().duplicateLoginKicks).toBe(0);
  });
});
