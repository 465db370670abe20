import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/core/virtual-clock.js';
import { SIM_KIS_APPKEY, SIM_KIS_APPSECRET, SIM_KIS_HTS_ID, SIM_KIWOOM_APPKEY, SIM_KIWOOM_SECRETKEY, type SimCounters } from '../../src/sim/index.js';
import { FAULT_KINDS, MALFORMED_DECODE_ERRORS, isResubscribed, runFault, type FaultEnv, type FaultOutcome } from '../../bench/soak/faults.js';
import { auditSignals, signalsGiven } from '../../bench/soak/ledger.js';
import { runFor, startDaemonOnSim, turns, type DaemonOnSim } from './daemon-on-sim.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Monday 2026-11-16 09:00 KST. */
const MONDAY_OPEN = Date.UTC(2026, 10, 16, 0, 0, 0);
/**
 * A full 09:00-15:30 session costs ~19 s of real time per day on this machine (2 cores), so the
 * week runs five real KRX-calendar days (weekday rule, nights, 24 h tokens) with a one-hour session
 * configured (calendar.close 10:00): the longest week that stays within the test budget.
 */
const SESSION_MS = 1 * HOUR;
const CLOSE = '10:00';
const DAYS = Number(process.env.KRX_WEEK_DAYS ?? 5);
const REFRESH_MS = DAY - 600_000; // 24 h tokens, refreshed 600 s (config default) before expiry
/** ka90003 ticks per market per session: every 30 s from 09:00:00 to 09:59:30. */
const RANKING_TICKS = SESSION_MS / 30_000;
const WATCHLIST_TICKS = SESSION_MS / 300_000;
/** Faults start 5 min into the session, 7 min apart: all seven are injected by 09:47. */
const FAULT_OFFSETS = FAULT_KINDS.map((_, i) => 5 * MIN + i * 7 * MIN);

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
    if (run) rmSync(run.dataDir, { recursive: true, force: true });
  });

  it(`keeps every signal, refreshes tokens as 24 h expiry requires and polls only in session (${DAYS} days)`, { timeout: 120_000 }, async () => {
    const issued: Array<{ broker: string; at: number }> = [];
    run = await startDaemonOnSim({
      clock,
      // One market batch a second keeps idle virtual hours cheap; a few trades a second keep the strategies busy.
      sim: { seed: 'week', tradesPerSecond: 5, tickMs: 1000, stocks: 300 },
      fileConfig: {
        calendar: { kind: 'krx', open: '09:00', close: CLOSE },
        // Every frame recorded costs four flush timers a second of virtual time; the canary test covers recordings.
        recording: { enabled: false },
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
      await runFor(clock, open - MIN - clock.now(), 60_000, 3);
      // The simulator never closes; the real market has no trades at night, so it is quiet there.
      sim.faults.setTradesPerSecond(5);
      await runFor(clock, open - 1_000 - clock.now(), 10_000, 5);
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
      sim.faults.setTradesPerSecond(0);
      const a = pollCounts(atOpen);
      const b = pollCounts(atClose);
      days.push({
        day,
        ranking: b.ranking - a.ranking,
        groupLists: b.groupLists - a.groupLists,
        rankingRetries: atClose.rateLimitHits.kiwoom - atOpen.rateLimitHits.kiwoom + atClose.token8005 - atOpen.token8005,
        // The simulator does not count EGW00123 answers: a forced expiry costs at most one retried group list.
        kisRetries: atClose.rateLimitHits.kis - atOpen.rateLimitHits.kis + outcomes.filter((o) => o.kind === 'token-expiry' && o.injectedAt >= open).length,
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
    // Malformed frames are counted decode errors, and never cost the connection.
    for (const o of outcomes.filter((x) => x.kind === 'malformed')) expect(o.decodeErrors).toBe(MALFORMED_DECODE_ERRORS);
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
      const show = (xs: number[]): string => xs.map((x) => new Date(x + 9 * HOUR).toISOString().slice(5, 19)).join(' ');
      const story = `issued ${show(times)}; expired ${show(expiries)}`;
      const unclaimed = [...expiries];
      for (let i = 1; i < times.length; i++) {
        const at = times[i] as number;
        const gap = at - (times[i - 1] as number);
        if (Math.abs(gap - REFRESH_MS) <= 60_000) continue; // the scheduled refresh
        // Anything else is the one refresh a forced expiry caused (after an 8005/EGW00123 answer).
        const cause = unclaimed.findIndex((e) => at >= e && at - e <= 10 * MIN);
        expect(cause, `${broker} issuance ${i} is neither scheduled nor the first after an expiry: ${story}`).toBeGreaterThanOrEqual(0);
        unclaimed.splice(cause, 1);
      }
      // Every forced expiry was followed by a new token (its own, or a scheduled refresh due anyway).
      for (const e of expiries) expect(times.some((t) => t >= e && t - e <= 10 * MIN), `${broker}: no token after the expiry at ${show([e])}: ${story}`).toBe(true);
      // No token outlived its refresh time.
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
