import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisLeaseStore } from '../../../src/adapters/bus/redis-lease.js';
import { keepLease } from '../../../src/app/bus/lease-keeper.js';
import { silentLogger } from '../../../src/core/logger.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { hasRedis, startRedis, warnIfNoRedis, type RedisServer } from '../../support/bus/redis-server.js';

warnIfNoRedis('bus tests in test/integration/bus/lease.test.ts');

/** Real time, bounded: the lease store talks to a real process. */
async function until(ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await ok())) {
    if (performance.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
const turns = async (n = 20): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
};

describe.skipIf(!hasRedis)('leases on a real redis-server (SET NX PX, renewed)', () => {
  let server: RedisServer;
  let a: ReturnType<typeof createRedisLeaseStore>;
  let b: ReturnType<typeof createRedisLeaseStore>;
  beforeAll(async () => {
    server = await startRedis();
    a = createRedisLeaseStore({ url: server.url });
    b = createRedisLeaseStore({ url: server.url });
    await until(() => a.holder('x').then(() => true, () => false));
    await until(() => b.holder('x').then(() => true, () => false));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await server?.stop();
  });

  it('one owner at a time; release only by the owner', async () => {
    expect(await a.acquire('kiwoom:k1', 'node-a', 30_000)).toBe(true);
    expect(await b.acquire('kiwoom:k1', 'node-b', 30_000)).toBe(false);
    expect(await a.acquire('kiwoom:k1', 'node-a', 30_000)).toBe(true); // ours already: extended
    await b.release('kiwoom:k1', 'node-b');
    expect(await b.holder('kiwoom:k1')).toBe('node-a');
    expect(await b.renew('kiwoom:k1', 'node-b', 30_000)).toBe(false);
    await a.release('kiwoom:k1', 'node-a');
    expect(await b.acquire('kiwoom:k1', 'node-b', 30_000)).toBe(true);
    await b.release('kiwoom:k1', 'node-b');
  });

  it('the keeper renews every third of the TTL and reports the lease lost when Redis restarted empty and another node took it', async () => {
    const clock = createVirtualClock(0);
    const lost: string[] = [];
    expect(await a.acquire('kiwoom:k2', 'node-a', 30_000)).toBe(true);
    const keeper = keepLease({ store: a, name: 'kiwoom:k2', owner: 'node-a', ttlMs: 30_000, clock, log: silentLogger, onLost: (r) => lost.push(r) });
    for (let i = 0; i < 3; i++) {
      clock.tick(10_000);
      await turns();
    }
    expect(keeper.state()).toBe('held');
    await server.stop();
    await server.start(); // empty: the lease key is gone
    await until(() => b.acquire('kiwoom:k2', 'node-b', 30_000).catch(() => false));
    await until(() => a.holder('kiwoom:k2').then(() => true, () => false));
    clock.tick(10_000);
    await until(() => keeper.state() === 'lost');
    expect(lost).toEqual(['another node holds it, or it expired']);
    await keeper.release(); // not ours any more: the other node's lease stays
    expect(await b.holder('kiwoom:k2')).toBe('node-b');
  });

  it('unreachable for two thirds of the TTL: lost before the TTL ends', async () => {
    const clock = createVirtualClock(0);
    const lost: string[] = [];
    expect(await a.acquire('kiwoom:k3', 'node-a', 30_000)).toBe(true);
    const keeper = keepLease({ store: a, name: 'kiwoom:k3', owner: 'node-a', ttlMs: 30_000, clock, log: silentLogger, onLost: (r) => lost.push(r) });
    await server.stop();
    clock.tick(10_000);
    await until(() => a.holder('x').then(() => false, () => true));
    await turns();
    expect(keeper.state()).toBe('held'); // one failed renewal: still within the TTL's safe part
    clock.tick(10_000);
    await until(() => keeper.state() === 'lost');
    expect(lost[0]).toMatch(/^not renewed for 20 s/);
    await server.start();
  });
});
