import { afterEach, describe, expect, it } from 'vitest';
import { SIM_KIS_APPKEY, SIM_KIS_APPSECRET, type SimulatorOptions } from '../../../src/sim/index.js';
import { drive, kisStack, memoryLog, startSim, type KisStackOptions } from './support.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function setup(simOptions: SimulatorOptions = {}, o: KisStackOptions = {}) {
  const { sim, clock } = await startSim(simOptions);
  const log = memoryLog();
  const k = kisStack(sim, clock, { log, ...o });
  closers.push(async () => {
    await k.close();
    await sim.close();
  });
  return { sim, clock, log, ...k, counters: () => sim.faults.counters() };
}

/** Another process issuing a token with the same app key (the sim throttles per app key). */
async function foreignIssue(url: string): Promise<number> {
  const res = await fetch(`${url}/oauth2/tokenP`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', appkey: SIM_KIS_APPKEY, appsecret: SIM_KIS_APPSECRET }),
  });
  await res.text();
  return res.status;
}

describe('KIS watchlist client against the simulator', () => {
  it('maps 그룹조회 + 그룹별 종목조회 to core WatchlistGroups', async () => {
    const { watchlist, sim, counters } = await setup();
    const { groups } = await watchlist.fetchWatchlist();
    const expected = sim.faults.watchlists().map((g) => ({ code: g.code, name: g.name, symbols: [...new Set(g.stocks)] }));
    expect(groups).toEqual(expected);
    expect(groups[0]!.symbols).toContain('005930');
    const c = counters();
    expect(c.requestsByTrId['HHKCM113004C7']).toBe(1);
    expect(c.requestsByTrId['HHKCM113004C6']).toBe(groups.length);
    expect(c.tokenIssuances.kis).toBe(1);
  });

  it('follows only the configured groups', async () => {
    const { watchlist, sim } = await setup();
    sim.faults.setWatchlistGroup('042', ['005930', '000660'], '테스트');
    const { groups } = await watchlist.fetchWatchlist(['042']);
    expect(groups).toEqual([{ code: '042', name: '테스트', symbols: ['005930', '000660'] }]);
  });

  it('EGW00123 (expired): refreshes once and retries once; the new issuance respects the 1-a-minute rule', async () => {
    const { watchlist, sim, clock, counters } = await setup();
    await watchlist.groups();
    await clock.tickAsync(2 * 60_000);
    sim.faults.expireTokens('kis');
    await watchlist.groups();
    const c = counters();
    expect(c.tokenIssuances.kis).toBe(2);
    expect(c.requestsByTrId['HHKCM113004C7']).toBe(3);
    expect(c.rateLimitHits.kisToken).toBe(0);
  });

  it('an invalidation right after issuance waits out the minute: KIS never sees two issuances in a minute', async () => {
    const { watchlist, sim, clock, counters, issuer } = await setup();
    await watchlist.groups();
    const t0 = clock.now();
    sim.faults.expireTokens('kis');
    await drive(clock, watchlist.groups(), 1000);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(61_000 - 1000);
    expect(counters().rateLimitHits.kisToken).toBe(0); // no EGW00133: we never asked too early
    expect(issuer.attempts).toHaveLength(2);
  });

  it('EGW00133 (another process issued a moment ago): waits out the minute, one retry, no loop', async () => {
    const { watchlist, clock, counters, issuer, sim } = await setup();
    expect(await foreignIssue(sim.url)).toBe(200);
    const t0 = clock.now();
    const groups = await drive(clock, watchlist.groups(), 1000);
    expect(groups.length).toBeGreaterThan(0);
    expect(counters().rateLimitHits.kisToken).toBe(1);
    expect(issuer.attempts).toHaveLength(2);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(61_000);
  });

  it('EGW00103 (bad app key): AuthError E_AUTH_CREDENTIALS, retried only on the long credentials backoff', async () => {
    const { watchlist, clock, issuer, tokens } = await setup({}, { appkey: 'PSBADKEY', appsecret: 'x' });
    await expect(watchlist.groups()).rejects.toMatchObject({ code: 'E_AUTH_CREDENTIALS' });
    await clock.tickAsync(10 * 60_000);
    // 60 s doubling (equal jitter) in 10 minutes: a few attempts at least 30 s apart, never a loop.
    expect(issuer.attempts.length).toBeGreaterThan(1);
    expect(issuer.attempts.length).toBeLessThanOrEqual(5);
    expect(tokens.status().state).toBe('failed');
  });

  it('EGW00201 (HTTP 500, too fast): backs off on the clock and retries within the budget', async () => {
    const { watchlist, clock, counters, sim } = await setup(
      {},
      { watchlist: { requestsPerSecond: 100, rateLimitRetries: 4, rateLimitBackoffMs: 300 } },
    );
    sim.faults.setRateLimits({ kisPerSecond: 1 });
    const { groups } = await drive(clock, watchlist.fetchWatchlist(), 50);
    expect(groups.length).toBeGreaterThan(0);
    expect(counters().rateLimitHits.kis).toBeGreaterThan(0);
  });

  it('EGW00201 beyond the budget: TransientError E_RATE_LIMITED', async () => {
    const { watchlist, clock, sim } = await setup({}, { watchlist: { requestsPerSecond: 100, rateLimitRetries: 0 } });
    sim.faults.setRateLimits({ kisPerSecond: 1 });
    await watchlist.groups();
    await expect(drive(clock, watchlist.groups(), 1)).rejects.toMatchObject({ code: 'E_RATE_LIMITED', category: 'transient' });
  });

  it('50 concurrent calls on a cold start cause one issuance', async () => {
    const { watchlist, clock, counters } = await setup({ kisRatePerSecond: 20 });
    const calls = Array.from({ length: 50 }, () => watchlist.groups());
    await drive(clock, Promise.all(calls), 10);
    const c = counters();
    expect(c.tokenIssuances.kis).toBe(1);
    expect(c.rateLimitHits.kisToken).toBe(0);
    expect(c.rateLimitHits.kis).toBe(0);
    expect(c.requestsByTrId['HHKCM113004C7']).toBe(50);
  });

  it('revokes on shutdown when configured', async () => {
    const { watchlist, tokens, counters } = await setup({}, { tokens: { revokeOnShutdown: true } });
    await watchlist.groups();
    await tokens.shutdown();
    expect(counters().tokenRevocations.kis).toBe(1);
  });
});
