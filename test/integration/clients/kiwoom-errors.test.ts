import { afterEach, describe, expect, it } from 'vitest';
import { SIM_KIWOOM_APPKEY } from '../../../src/sim/index.js';
import type { SimulatorOptions } from '../../../src/sim/index.js';
import { drive, kiwoomStack, memoryLog, startSim, type KiwoomStackOptions } from './support.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function setup(simOptions: SimulatorOptions = {}, o: KiwoomStackOptions = {}) {
  const { sim, clock } = await startSim(simOptions);
  const log = memoryLog();
  const k = kiwoomStack(sim, clock, { log, ...o });
  closers.push(async () => {
    await k.close();
    await sim.close();
  });
  return { sim, clock, log, ...k, counters: () => sim.faults.counters() };
}

const ka90003Req = { trde_upper_tp: '2', amt_qty_tp: '1', mrkt_tp: 'P00101', stex_tp: '1' } as const;

describe('kiwoom return codes against the simulator (protocol.md section 5)', () => {
  it('8005 after expire-tokens: invalidates, refreshes once, retries once', async () => {
    const { api, sim, counters, tokens } = await setup();
    await api.ka90003(ka90003Req);
    expect(counters().tokenIssuances.kiwoom).toBe(1);
    expect(sim.faults.expireTokens('kiwoom')).toBe(1);
    const r = await api.ka90003(ka90003Req);
    expect(r.data.prm_netprps_upper_50).toHaveLength(150);
    const c = counters();
    expect(c.token8005).toBe(1);
    expect(c.tokenIssuances.kiwoom).toBe(2);
    expect(c.requestsByApiId['ka90003']).toBe(3); // first call, the rejected try, the one retry
    expect(tokens.status().issuances).toBe(2);
  });

  it('concurrent requests failing with the same old token cause one refresh, not several', async () => {
    const { api, sim, counters, clock } = await setup();
    await api.ka90003(ka90003Req);
    sim.faults.expireTokens('kiwoom');
    const calls = [1, 2, 3].map(() => api.ka90003(ka90003Req));
    await drive(clock, Promise.all(calls));
    expect(counters().tokenIssuances.kiwoom).toBe(2);
    expect(counters().token8005).toBe(3);
  });

  it('a token still refused after the refresh ends in AuthError E_AUTH_TOKEN (no loop)', async () => {
    // Fault: the sim expires every token right after issuing it, so even the refreshed one is refused.
    let expire = () => 0;
    const { api, counters, sim } = await setup(
      {},
      { wrapIssuer: (i) => ({ issue: () => i.issue().then((t) => (expire(), t)), revoke: (t) => i.revoke(t) }) },
    );
    expire = () => sim.faults.expireTokens('kiwoom');
    await expect(api.ka10001({ stk_cd: '005930' })).rejects.toMatchObject({ code: 'E_AUTH_TOKEN', category: 'auth' });
    expect(counters().requestsByApiId['ka10001']).toBe(2);
    expect(counters().tokenIssuances.kiwoom).toBe(2);
  });

  it('1634 batch limit: BrokerRejectError E_BATCH_LIMIT, never retried', async () => {
    const { api, counters } = await setup();
    const codes = Array.from({ length: 101 }, () => '005930').join('|');
    await expect(api.ka10001({ stk_cd: codes })).rejects.toMatchObject({ code: 'E_BATCH_LIMIT', category: 'reject' });
    expect(counters().requestsByApiId['ka10001']).toBe(1);
  });

  it('1700 in every form (HTTP 429, return_code 5 + [1700], "1700"): waits and retries within the budget', async () => {
    const { api, clock, counters, sim } = await setup(
      { kiwoomRateLimitForms: ['http429', 'rc5', 'rc1700'] },
      { rest: { requestsPerSecond: 50, rateLimitRetries: 5, rateLimitBackoffMs: 500 } },
    );
    sim.faults.setRateLimits({ kiwoomPerSecond: 2 });
    const calls = Array.from({ length: 6 }, () => api.ka90003(ka90003Req));
    const results = await drive(clock, Promise.all(calls), 50);
    expect(results.every((r) => r.data.prm_netprps_upper_50.length === 150)).toBe(true);
    const c = counters();
    expect(c.rateLimitHits.kiwoom).toBeGreaterThanOrEqual(3); // all three forms were answered and handled
    expect(c.requestsByApiId['ka90003']).toBe(6 + c.rateLimitHits.kiwoom);
  });

  it('1700 beyond the retry budget: TransientError E_RATE_LIMITED', async () => {
    const { api, clock, sim } = await setup({}, { rest: { requestsPerSecond: 100, rateLimitRetries: 1, rateLimitBackoffMs: 1 } });
    sim.faults.setRateLimits({ kiwoomPerSecond: 1 });
    const calls = Array.from({ length: 4 }, () => api.ka90003(ka90003Req).then(() => 'ok', (e: { code: string }) => e.code));
    const out = await drive(clock, Promise.all(calls), 1);
    expect(out).toContain('E_RATE_LIMITED');
  });

  it('the client-side limiter keeps the daemon from ever causing a 1700 (sim at 5/s, client at 5/s)', async () => {
    const { api, clock, counters } = await setup({ kiwoomRatePerSecond: 5 });
    const calls = Array.from({ length: 30 }, () => api.ka90003(ka90003Req));
    const t0 = clock.now();
    await drive(clock, Promise.all(calls), 10);
    expect(counters().rateLimitHits.kiwoom).toBe(0);
    expect(counters().requestsByApiId['ka90003']).toBe(30);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(5000); // 30 requests at 5/s need 5 windows
  });

  it('8001/8002 bad credentials: AuthError E_AUTH_CREDENTIALS, retried only on the long credentials backoff, the token source stays failed', async () => {
    const { api, clock, issuer, tokens } = await setup({}, { appkey: SIM_KIWOOM_APPKEY, secretkey: 'wrong' });
    await expect(api.ka90003(ka90003Req)).rejects.toMatchObject({ code: 'E_AUTH_CREDENTIALS' });
    await clock.tickAsync(30 * 60_000);
    // 60 s doubling to 15 min (equal jitter) in 30 minutes: at most 6 attempts, never a loop.
    expect(issuer.attempts.length).toBeGreaterThan(1);
    expect(issuer.attempts.length).toBeLessThanOrEqual(6);
    expect(tokens.status().state).toBe('failed');
    await expect(api.ka90003(ka90003Req)).rejects.toMatchObject({ code: 'E_AUTH_CREDENTIALS' });
  });

  it('5xx: TransientError E_HTTP_STATUS (not retried here; the poll retries next period)', async () => {
    const { api, sim, counters } = await setup();
    await api.ka90003(ka90003Req);
    sim.faults.failPath('/api/dostk/stkinfo', { status: 503, count: 1 });
    await expect(api.ka90003(ka90003Req)).rejects.toMatchObject({ code: 'E_HTTP_STATUS', category: 'transient' });
    expect(counters().injectedFailures).toBe(1);
    await expect(api.ka90003(ka90003Req)).resolves.toBeDefined();
  });

  it('a slow broker: E_TIMEOUT on the virtual clock', async () => {
    const { api, sim, clock } = await setup({}, { rest: { requestTimeoutMs: 2000 } });
    await api.ka90003(ka90003Req);
    sim.faults.setRestDelay(5000);
    const p = api.ka90003(ka90003Req);
    await expect(drive(clock, p, 250)).rejects.toMatchObject({ code: 'E_TIMEOUT', category: 'transient' });
  });

  it('network failure: E_NETWORK', async () => {
    const { api, sim } = await setup();
    await api.ka90003(ka90003Req);
    await sim.close();
    await expect(api.ka90003(ka90003Req)).rejects.toMatchObject({ code: 'E_NETWORK', category: 'transient' });
  });

  it('never puts the token or the keys in errors or logs', async () => {
    const { api, sim, log, tokens } = await setup();
    await api.ka90003(ka90003Req);
    const token = await tokens.getToken();
    sim.faults.failPath('/api/dostk/stkinfo', { status: 500, count: 1 });
    const err = await api.ka90003(ka90003Req).catch((e: unknown) => e);
    const dump = JSON.stringify([log.lines, (err as { toLog: () => unknown }).toLog(), String(err)]);
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(SIM_KIWOOM_APPKEY);
  });
});
