import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileTokenCache, TOKEN_CACHE_FILE } from '../../../src/adapters/token-cache/file-token-cache.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { SIM_KIS_APPKEY, SIM_KIS_APPSECRET, SIM_KIWOOM_APPKEY, SIM_KIWOOM_SECRETKEY } from '../../../src/sim/index.js';
import { drive, kisStack, kiwoomStack, startSim, START_MS } from './support.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const req = { trde_upper_tp: '2', amt_qty_tp: '1', mrkt_tp: 'P00101', stex_tp: '1' } as const;
const OTHER = { appkey: 'SIMKIWOOMOTHERKEY', secretkey: 'SIMKIWOOMOTHERSECRET' };

async function sim(options: Parameters<typeof startSim>[0] = {}, clock = createVirtualClock(START_MS)) {
  const s = await startSim(
    { kiwoomCredentials: [{ appkey: SIM_KIWOOM_APPKEY, secretkey: SIM_KIWOOM_SECRETKEY }, OTHER], ...options },
    clock,
  );
  closers.push(() => s.sim.close());
  return s;
}

describe('token lifecycle against the simulator', () => {
  it('50 concurrent Kiwoom calls on a cold start cause one token issuance', async () => {
    const { sim: s, clock } = await sim();
    const k = kiwoomStack(s, clock);
    closers.push(() => k.close());
    const calls = Array.from({ length: 50 }, () => k.api.ka90003(req));
    await drive(clock, Promise.all(calls), 10);
    const c = s.faults.counters();
    expect(c.tokenIssuances.kiwoom).toBe(1);
    expect(c.requestsByApiId['ka90003']).toBe(50);
    expect(c.rateLimitHits.kiwoom).toBe(0);
  });

  it('a restart with a cached token issues nothing; other credentials and other hosts do not use it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krx-cache-'));
    const store = createFileTokenCache(dir);
    const clock = createVirtualClock(START_MS);
    const { sim: s } = await sim({}, clock);
    const key = { broker: 'kiwoom' as const, host: s.url, appkey: SIM_KIWOOM_APPKEY };

    const first = kiwoomStack(s, clock, { tokens: { cache: { store, key } } });
    await first.api.ka90003(req);
    await first.close();
    expect(s.faults.counters().tokenIssuances.kiwoom).toBe(1);
    expect(statSync(join(dir, TOKEN_CACHE_FILE)).mode & 0o777).toBe(0o600);
    const raw = readFileSync(join(dir, TOKEN_CACHE_FILE), 'utf8');
    expect(raw).not.toContain(SIM_KIWOOM_APPKEY);
    expect(raw).not.toContain(SIM_KIWOOM_SECRETKEY);

    // restart an hour later: same credentials, same host
    await clock.tickAsync(3600_000);
    const second = kiwoomStack(s, clock, { tokens: { cache: { store, key } } });
    await second.api.ka90003(req);
    await second.close();
    expect(s.faults.counters().tokenIssuances.kiwoom).toBe(1);
    expect(second.issuer.attempts).toHaveLength(0);

    // other credentials on the same host: not used
    const otherKey = { ...key, appkey: OTHER.appkey };
    const third = kiwoomStack(s, clock, { ...OTHER, tokens: { cache: { store, key: otherKey } } });
    await third.api.ka90003(req);
    await third.close();
    expect(s.faults.counters().tokenIssuances.kiwoom).toBe(2);

    // same credentials, another host (a second simulator): not used
    const { sim: s2 } = await sim({}, clock);
    const fourth = kiwoomStack(s2, clock, { tokens: { cache: { store, key: { ...key, host: s2.url } } } });
    await fourth.api.ka90003(req);
    await fourth.close();
    expect(s2.faults.counters().tokenIssuances.kiwoom).toBe(1);
    expect(s2.faults.counters().token8005).toBe(0);
  });

  it('a cached token within the refresh margin is not used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krx-cache-'));
    const store = createFileTokenCache(dir);
    const clock = createVirtualClock(START_MS);
    const { sim: s } = await sim({ stocks: 60 }, clock); // a small market: the sim steps it every virtual second
    const key = { broker: 'kiwoom' as const, host: s.url, appkey: SIM_KIWOOM_APPKEY };
    const first = kiwoomStack(s, clock, { tokens: { cache: { store, key } } });
    await first.api.ka90003(req);
    await first.close();
    // 24 h tokens; restart 23 h 55 min later: 5 minutes left, inside the 10-minute margin
    await clock.tickAsync(24 * 3600_000 - 5 * 60_000);
    const second = kiwoomStack(s, clock, { tokens: { cache: { store, key } } });
    await second.api.ka90003(req);
    await second.close();
    expect(s.faults.counters().tokenIssuances.kiwoom).toBe(2);
    expect(s.faults.counters().token8005).toBe(0);
  });

  it('KIS: a restart reuses the cached token (no issuance, no phone notification)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krx-cache-'));
    const store = createFileTokenCache(dir);
    const clock = createVirtualClock(START_MS);
    const { sim: s } = await sim({}, clock);
    const key = { broker: 'kis' as const, host: s.url, appkey: SIM_KIS_APPKEY };
    const a = kisStack(s, clock, { tokens: { cache: { store, key } } });
    await a.watchlist.groups();
    await a.close();
    await clock.tickAsync(10_000);
    const b = kisStack(s, clock, { appkey: SIM_KIS_APPKEY, appsecret: SIM_KIS_APPSECRET, tokens: { cache: { store, key } } });
    await b.watchlist.groups();
    await b.close();
    const c = s.faults.counters();
    expect(c.tokenIssuances.kis).toBe(1);
    expect(c.rateLimitHits.kisToken).toBe(0);
    expect(b.issuer.attempts).toHaveLength(0);
  });
});
