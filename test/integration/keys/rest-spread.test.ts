import { afterEach, describe, expect, it } from 'vitest';
import { buildBrokerClients, createBrokerTokenSource, createKiwoomKeyIssuer, networkTransports, type BrokerEndpoints } from '../../../src/app/broker-clients.js';
import { kernelSettings } from '../../../src/app/settings.js';
import { silentLogger } from '../../../src/core/logger.js';
import { createRandom } from '../../../src/core/random.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/index.js';
import { testConfig } from '../../support/config.js';

const START = Date.UTC(2026, 10, 20, 0, 0, 0);
let sim: SimulatorHandle | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  await sim?.close();
  sim = undefined;
});

describe('REST calls spread over the app keys rate budgets (simulator: 5 requests/s per app key)', () => {
  it('two keys serve a burst in half the time of one, each within its own 5/s; a key marked unusable gets none', { timeout: 60_000 }, async () => {
    const clock = createVirtualClock(START);
    const keys = [
      { name: 'a', appkey: 'KWKEY-a', secretkey: 'KWSECRET-a' },
      { name: 'b', appkey: 'KWKEY-b', secretkey: 'KWSECRET-b' },
    ];
    sim = await startSimulator({ clock, seed: 'spread', kiwoomCredentials: keys.map(({ appkey, secretkey }) => ({ appkey, secretkey })) });
    const s = sim;
    const settings = kernelSettings(testConfig({ kiwoom: { keys: ['a', 'b'], requestTimeoutMs: 600_000 } }));
    const endpoints: BrokerEndpoints = { kiwoom: { restUrl: s.url, wsUrl: s.wsUrl, appkey: 'KWKEY-a', secretkey: 'KWSECRET-a' }, kiwoomKeys: keys, kis: null };
    const perKey = keys.map((key) => {
      const { limiter, issuer } = createKiwoomKeyIssuer(settings, s.url, key, clock);
      const tokens = createBrokerTokenSource('kiwoom', settings, s.url, key.appkey, issuer, { clock, random: createRandom('spread'), log: silentLogger }, key.name);
      closers.push(async () => {
        await tokens.shutdown();
        await issuer.close();
      });
      return { name: key.name, tokens, limiter };
    });
    const usable = new Set(['a', 'b']);
    const clients = buildBrokerClients(
      settings,
      networkTransports(settings, endpoints, { clock, log: silentLogger, tokens: { kiwoom: perKey[0]!.tokens, kis: null }, kiwoomKeys: perKey, usableKey: (name) => usable.has(name) }),
    );
    closers.push(() => clients.close());

    /** Fires `n` ka10001 calls at once; returns the virtual ms until all answered. */
    const burst = async (n: number): Promise<number> => {
      const t0 = clock.now();
      let done = 0;
      const calls = Array.from({ length: n }, () => clients.kiwoom.ka10001({ stk_cd: '005930' }).then(() => void done++));
      for (let i = 0; i < 2_000 && done < n; i++) {
        await clock.tickAsync(50);
        for (let j = 0; j < 5; j++) await new Promise<void>((r) => setImmediate(r));
      }
      await Promise.all(calls);
      return clock.now() - t0;
    };
    // Token issuance takes one request per key from its budget; warm both up first.
    await burst(2);
    const before = { ...s.faults.counters().kiwoomRequestsByAppkey };
    const both = await burst(30);
    const after = s.faults.counters().kiwoomRequestsByAppkey;
    const a = (after['KWKEY-a'] ?? 0) - (before['KWKEY-a'] ?? 0);
    const b = (after['KWKEY-b'] ?? 0) - (before['KWKEY-b'] ?? 0);
    expect(a + b).toBe(30);
    expect(Math.abs(a - b)).toBeLessThanOrEqual(2);
    expect(s.faults.counters().rateLimitHits.kiwoom).toBe(0);

    usable.delete('b');
    const mid = { ...s.faults.counters().kiwoomRequestsByAppkey };
    const one = await burst(30);
    const end = s.faults.counters().kiwoomRequestsByAppkey;
    expect((end['KWKEY-b'] ?? 0) - (mid['KWKEY-b'] ?? 0)).toBe(0);
    expect((end['KWKEY-a'] ?? 0) - (mid['KWKEY-a'] ?? 0)).toBe(30);
    expect(s.faults.counters().rateLimitHits.kiwoom).toBe(0);
    // 30 calls at 5/s: about 6 s on one key, about 3 s on two.
    expect(one).toBeGreaterThan(5_000);
    expect(both).toBeLessThan(one * 0.65);

    usable.clear();
    await expect(clients.kiwoom.ka10001({ stk_cd: '005930' })).rejects.toMatchObject({ code: 'E_KEY_UNAVAILABLE' });
  });
});
