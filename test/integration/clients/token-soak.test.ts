import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { kisStack, kiwoomStack, memoryLog, startSim, START_MS } from './support.js';

/**
 * Five days of fake time with 24 h tokens, polling like the daemon does. Run in-process under the
 * host's zone, and by tz-soak.test.ts in child processes under TZ=UTC and TZ=Asia/Seoul.
 */
const DAY = 86_400_000;
const DURATION = 5 * DAY;
const LIFETIME = DAY;
const MARGIN = 600_000;
const STEP = 2 * 60_000; // Kiwoom poll period in this soak
const KIS_EVERY = 5; // KIS poll every 5 steps (10 minutes)

describe('five-day token soak on a virtual clock', () => {
  const expectTz = process.env['KRX_SOAK_TZ'];

  it.runIf(expectTz !== undefined)('runs under the requested time zone', () => {
    expect(process.env['TZ']).toBe(expectTz);
    const offsetMin = new Date(START_MS).getTimezoneOffset(); // clock-ok: proves the host zone of this process
    expect(offsetMin).toBe(expectTz === 'Asia/Seoul' ? -540 : 0);
  });

  it('never sends an expired token and issues exactly as often as expiry requires', async () => {
    const clock = createVirtualClock(START_MS);
    const { sim } = await startSim({ stocks: 60, tokenLifetimeMs: LIFETIME }, clock);
    const log = memoryLog();
    const kw = kiwoomStack(sim, clock, { log, tokens: { refreshMarginMs: MARGIN } });
    const kis = kisStack(sim, clock, { log, tokens: { refreshMarginMs: MARGIN } });
    const issuedAt = { kiwoom: [] as number[], kis: [] as number[] };
    let lastKw = 0;
    let lastKis = 0;
    const req = { trde_upper_tp: '2', amt_qty_tp: '1', mrkt_tp: 'P00101', stex_tp: '1' } as const;

    for (let i = 0; clock.now() - START_MS < DURATION; i++) {
      await kw.api.ka90003(req);
      if (i % KIS_EVERY === 0) await kis.watchlist.groups();
      // every token in use is valid beyond the refresh margin (or being refreshed right now)
      for (const [name, src] of [['kiwoom', kw.tokens], ['kis', kis.tokens]] as const) {
        const st = src.status();
        if (st.state === 'valid') expect(st.expiresAt! - clock.now(), name).toBeGreaterThan(0);
        if (st.issuances > (name === 'kiwoom' ? lastKw : lastKis)) issuedAt[name].push(clock.now());
      }
      lastKw = kw.tokens.status().issuances;
      lastKis = kis.tokens.status().issuances;
      await clock.tickAsync(STEP);
    }

    const expected = Math.floor(DURATION / (LIFETIME - MARGIN)) + 1;
    // Refreshes land up to one step late; that must not change the count for this test to be exact.
    expect(Math.floor(DURATION / (LIFETIME - MARGIN + STEP)) + 1).toBe(expected);
    expect(expected).toBe(6);

    const c = sim.faults.counters();
    expect(c.token8005).toBe(0); // the sim checked every Kiwoom request's token against its expiry
    expect(log.lines.filter((l) => l.msg.includes('token rejected'))).toEqual([]); // no EGW00123/EGW00121 either
    expect(c.tokenIssuances.kiwoom).toBe(expected);
    expect(c.tokenIssuances.kis).toBe(expected);
    expect(kw.tokens.status().issuances).toBe(expected);
    expect(kis.tokens.status().issuances).toBe(expected);
    expect(c.rateLimitHits).toEqual({ kiwoom: 0, kis: 0, kisToken: 0 });
    expect(c.requestsByApiId['ka90003']).toBe(DURATION / STEP);
    for (const times of [issuedAt.kiwoom, issuedAt.kis]) {
      const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
      for (const g of gaps) {
        expect(g).toBeGreaterThanOrEqual(LIFETIME - MARGIN - STEP);
        expect(g).toBeLessThanOrEqual(LIFETIME - MARGIN + STEP);
      }
    }
    await kw.close();
    await kis.close();
    await sim.close();
  }, 180_000);
});
