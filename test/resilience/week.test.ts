import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/core/virtual-clock.js';
import { SIM_KIS_APPKEY, SIM_KIS_APPSECRET, SIM_KIS_HTS_ID, SIM_KIWOOM_APPKEY, SIM_KIWOOM_SECRETKEY, type SimCounters } from '../../src/sim/index.js';
import { FAULT_KINDS, isResubscribed, runFault, type FaultEnv, type FaultOutcome } from '../../bench/soak/faults.js';
import { auditSignals, signalsGiven } from '../../bench/soak/ledger.js';
import { runFor, startDaemonOnSim, turns, type DaemonOnSim } from './daemon-on-sim.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Monday 2026-11-16 09:00 KST. */
const MONDAY_OPEN = Date.UTC(2026, 10, 16, 0, 0, 0);
const SESSION_MS = 6.5 * HOUR;
const DAYS = Number(process.env.KRX_WEEK_DAYS ?? 5);
const REFRESH_MS = DAY - 600_000; // 24 h tokens, refreshed 600 s (config default) before expiry
/** ka90003 ticks per market per session: every 30 s from 09:00:00 to 15:29:30. */
const RANKING_TICKS = SESSION_MS / 30_000;
const WATCHLIST_TICKS = SESSION_MS / 300_000;
/** Faults start 30 min into the session, 45 min apart: all seven are over by 14:05. */
const FAULT_OFFSETS = FAULT_KINDS.map((_, i) => 30 * MIN + i * 45 * MIN);

interface DayFigures {
  readonly day: number;
  readonly ranking: number;
  readonly groupLists: number;
  readonly rankingRetries: number;
  readonly kisRetries: number;
  readonly overnight: number;
  readonly resubscribedAtClose: boolean;
}

const pollCounts = (c: SimCounters): { ranking: number; groupLists: number; stockLists: number } => ({
  ranking: c.requestsByApiId['ka90003'] ?? 0,
  groupLists: c.requestsByTrId['HHKCM113004C7'] ?? 0,
  stockLists: c.requestsByTrId['HHKCM113004C6'] ?? 0,
});

describe('a fake-time trading week of the whole daemon with faults in rotation', () => {
  const clock = createVirtualClock(MONDAY_OPEN - MIN);
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  let run: DaemonOnSim | undefined;
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await run?.daemon.stop('test over');
    await run?.sim.close();
  });

  it(`keeps every signal, refreshes tokens as 24 h expiry requires and polls only in session (${DAYS} days)`, { timeout: 120_000 }, async () => {
    const issued: Array<{ broker: string; at: number }> = [];
    run = await startDaemonOnSim({
      clock,
      // One market batch a second keeps idle virtual hours cheap; a few trades a second keep the strategies busy.
      sim: { seed: 'week', tradesPerSecond: 8, tickMs: 1000, stocks: 300 },
      fileConfig: {
        calendar: { kind: 'krx' },
        // A REST answer can take several virtual seconds while time moves in chunks: no spurious timeouts.
        kiwoom: { requestTimeoutMs: 120_000 },
        kis: { requestTimeoutMs: 120_000 },
      },
      credentials: { KIWOOM_APPKEY: SIM_KIWOOM_APPKEY, KIWOOM_SECRETKEY: SIM_KIWOOM_SECRETKEY, KIS_APPKEY: SIM_KIS_APPKEY, KIS_APPSECRET: SIM_KIS_APPSECRET, KIS_HTS_ID: SIM_KIS_HTS_ID },
      onLine: (raw) => {
        if (!raw.includes('"token issued"')) return;
        const line = JSON.parse(raw) as { broker: string; time: number };
        issued.push({ broker: line.broker, at: line.time });
      },
    });
    const { daemon, sim, config } = run;
    const env: FaultEnv = {
      daemon,
      sim,
      watchdogMs: config.connection.watchdogMs,
      normalRates: { kiwoomPerSecond: 5, kisPerSecond: 20 },
      rateLimitHoldMs: 60_000,
      advance: (ms) => runFor(clock, ms, 1_000, 3),
      now: () => clock.now(),
      stepMs: 500,
    };
    const outcomes: FaultOutcome[] = [];
    const days: DayFigures[] = [];
    let counters = sim.faults.counters();

    for (let day = 0; day < DAYS; day++) {
      const open = MONDAY_OPEN + day * DAY;
      // Overnight (and before the first open): not one poll.
      await runFor(clock, open - clock.now(), 60_000, 3);
      const atOpen = sim.faults.counters();
      const overnight = Object.values(pollCounts(atOpen)).reduce((a, b) => a + b, 0) - Object.values(pollCounts(counters)).reduce((a, b) => a + b, 0);
      for (let i = 0; i < FAULT_KINDS.length; i++) {
        await runFor(clock, open + (FAULT_OFFSETS[i] as number) - clock.now(), 10_000, 5);
        // Each day starts the rotation one further along.
        outcomes.push(await runFault(FAULT_KINDS[(i + day) % FAULT_KINDS.length] as (typeof FAULT_KINDS)[number], env, 5 * MIN));
      }
      await runFor(clock, open + SESSION_MS - clock.now(), 10_000, 5);
      await turns(50);
      const atClose = sim.faults.counters();
      const a = pollCounts(atOpen);
      const b = pollCounts(atClose);
      days.push({
        day,
        ranking: b.ranking - a.ranking,
        groupLists: b.groupLists - a.groupLists,
        rankingRetries: atClose.rateLimitHits.kiwoom - atOpen.rateLimitHits.kiwoom + atClose.token8005 - atOpen.token8005,
        kisRetries: atClose.rateLimitHits.kis - atOpen.rateLimitHits.kis + (atClose.kisTokenErrors - atOpen.kisTokenErrors) + (atClose.injectedFailures - atOpen.injectedFailures),
        overnight,
        resubscribedAtClose: isResubscribed(daemon, sim),
      });
      counters = atClose;
    }
    // After the last close: still no poll.
    await runFor(clock, 30 * MIN, 60_000, 3);
    const afterClose = pollCounts(sim.faults.counters());
    const lastClose = pollCounts(counters);

    const given = signalsGiven(daemon);
    const final = sim.faults.counters();
    const tokenStatus = { kiwoom: daemon.tokens.kiwoom.status(), kis: daemon.tokens.kis?.status() };
    await daemon.stop('week over');
    const audit = auditSignals(daemon, given, run.ledger, join(config.dataDir, config.store.file));

    // Every fault recovered: live again with the simulator holding exactly the wanted set.
    expect(outcomes.filter((o) => o.recoveryMs === null).map((o) => o.kind)).toEqual([]);
    expect(outcomes.filter((o) => o.kind === 'drop-close').every((o) => o.reconnected)).toBe(true);
    for (const d of days) {
      expect(d.resubscribedAtClose, `day ${d.day}: subscriptions at the close`).toBe(true);
      expect(d.overnight, `day ${d.day}: polls before the open`).toBe(0);
      // Each tick one request per market; extra requests only as retries after a 1700/429/8005 answer.
      expect(d.ranking, `day ${d.day}: ka90003`).toBeGreaterThanOrEqual(2 * RANKING_TICKS);
      expect(d.ranking, `day ${d.day}: ka90003`).toBeLessThanOrEqual(2 * RANKING_TICKS + d.rankingRetries);
      expect(d.groupLists, `day ${d.day}: KIS group lists`).toBeGreaterThanOrEqual(WATCHLIST_TICKS);
      expect(d.groupLists, `day ${d.day}: KIS group lists`).toBeLessThanOrEqual(WATCHLIST_TICKS + d.kisRetries);
    }
    expect(afterClose).toEqual(lastClose);

    // Tokens: one issuance at start, one per forced expiry, and a refresh every 24 h minus the margin.
    const expiries = outcomes.filter((o) => o.kind === 'token-expiry').map((o) => o.injectedAt);
    for (const broker of ['kiwoom', 'kis'] as const) {
      const times = issued.filter((i) => i.broker === broker).map((i) => i.at);
      expect(times.length, `${broker} issuances logged vs the simulator's count`).toBe(final.tokenIssuances[broker]);
      let forced = 0;
      for (let i = 1; i < times.length; i++) {
        const at = times[i] as number;
        const gap = at - (times[i - 1] as number);
        const afterExpiry = expiries.some((e) => at >= e && at - e <= 10 * MIN);
        if (afterExpiry) forced++;
        else expect(Math.abs(gap - REFRESH_MS), `${broker} refresh ${i}: ${gap} ms after the previous`).toBeLessThanOrEqual(60_000);
      }
      // Each forced expiry cost exactly one issuance, and no token outlived its refresh time.
      expect(forced, `${broker} issuances after a forced expiry`).toBe(expiries.length);
      expect(clock.now() - (times.at(-1) as number)).toBeLessThan(REFRESH_MS + 60_000);
      expect(tokenStatus[broker]?.state).toBe('valid');
    }

    expect(audit.given).toBeGreaterThan(0);
    expect(audit.lost).toBe(0);
    expect(audit.duplicated).toBe(0);
    expect(run.ledger.errors).toEqual([]);
    expect(unhandled).toEqual([]);
    process.stdout.write(`week: ${outcomes.length} faults, ${final.logins} logins, ${audit.rows} signals, token issuances kiwoom ${final.tokenIssuances.kiwoom} kis ${final.tokenIssuances.kis}, recoveries ${outcomes.map((o) => `${o.kind}=${Math.round((o.recoveryMs ?? -1) / 1000)}s`).join(' ')}\n`);
  });
});
