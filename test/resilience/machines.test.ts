import { rmSync } from 'node:fs';
import { symbolOf } from '../../src/adapters/kiwoom/venue-codes.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/core/virtual-clock.js';
import { SIM_KIWOOM_APPKEY, SIM_KIWOOM_SECRETKEY, type SimKiwoomCredentials } from '../../src/sim/index.js';
import { runFor, startDaemonOnSim, turns, type DaemonOnSim } from './daemon-on-sim.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** Friday 2026-11-20 09:00 KST. */
const OPEN = Date.UTC(2026, 10, 20, 0, 0, 0);
const KIWOOM = { KIWOOM_APPKEY: SIM_KIWOOM_APPKEY, KIWOOM_SECRETKEY: SIM_KIWOOM_SECRETKEY };
/** No KIS: these runs are about the Kiwoom token and socket. */
const BASE = { calendar: { kind: 'always-open' }, recording: { enabled: false }, kis: { enabled: false }, kiwoom: { requestTimeoutMs: 120_000 } };

let run: DaemonOnSim | undefined;
afterEach(async () => {
  await run?.daemon.stop('test over');
  await run?.sim.close();
  if (run) rmSync(run.dataDir, { recursive: true, force: true });
  run = undefined;
});

const CONNECTION_WATCHDOG_MS = 30_000;
const live = (r: DaemonOnSim): boolean => r.daemon.connection.status().phase === 'live';

describe('the daemon under the faults of the machines (issue 20 items 2, 3, 4)', () => {
  it('REG rejection from the start: /healthz 503 with the code, /metrics counts it, retries with backoff, recovers', { timeout: 60_000 }, async () => {
    const clock = createVirtualClock(OPEN - MIN);
    run = await startDaemonOnSim({ clock, sim: { seed: 'reg', tradesPerSecond: 20, regRatePerSecond: 0 }, fileConfig: BASE, credentials: KIWOOM });
    const { daemon, sim } = run;
    const r = run;
    for (let i = 0; i < 60 && !(live(r) && (sim.faults.counters().regRejections['105110'] ?? 0) > 0); i++) await runFor(clock, 1_000, 500, 5);
    await runFor(clock, 30_000, 1_000, 5);
    const sick = daemon.observability.health();
    expect(sick.healthy).toBe(false);
    expect(sick.reasons.join(' ')).toMatch(/subscriptions not acknowledged \(REG rejected: 105110 /);
    const metrics = daemon.observability.metrics.render();
    expect(metrics).toMatch(/krx_ws_registration_rejections_total\{code="105110"\} [1-9]/);
    expect(metrics).toMatch(/krx_acknowledged_pairs 0/);
    // Retried with a doubling backoff, not a storm: a handful of REGs in half a minute.
    const rejected = sim.faults.counters().regRejections['105110'] ?? 0;
    expect(rejected).toBeGreaterThanOrEqual(3);
    expect(rejected).toBeLessThanOrEqual(12);
    expect(sim.faults.counters().connectionsOpened).toBe(1);

    sim.faults.setRegLimits({ regPerSecond: 5 });
    await runFor(clock, 3 * MIN, 1_000, 5);
    // A ranking poll may have changed the universe just now: let its paced REG go out and be answered.
    const all = (): boolean => daemon.connection.status().subscriptions.ackedPairs === daemon.connection.subscriptions.wantedCount;
    for (let i = 0; i < 20 && !all(); i++) await runFor(clock, 500, 100, 10);
    const wanted = daemon.connection.subscriptions.wantedPairs();
    expect(daemon.connection.status().subscriptions).toMatchObject({ ackedPairs: wanted.length, rejectedPairs: 0 });
    const regs = sim.faults.registrations();
    const server = regs.connections.find((c) => c.id === regs.current);
    expect([...(server?.items ?? [])].sort()).toEqual(wanted);
    expect(daemon.observability.health()).toMatchObject({ healthy: true });
  });

  it('a universe over the item budget keeps the priority, counts the rest, and never trips the simulator limits', { timeout: 60_000 }, async () => {
    const clock = createVirtualClock(OPEN - MIN);
    const extras = ['000020', '000040', '000050'];
    run = await startDaemonOnSim({
      clock,
      sim: { seed: 'budget', tradesPerSecond: 20, wsMaxItems: 40 },
      fileConfig: { ...BASE, connection: { maxItems: 40 }, universe: { extraSymbols: extras, programTopPollSeconds: 30 } },
      credentials: KIWOOM,
    });
    const { daemon, sim } = run;
    await runFor(clock, 2 * MIN, 1_000, 5);
    // Items carry the venue suffix the stock master chose (universe.venue auto: `_AL` where nxtEnable); compare symbols.
    const items = new Set(daemon.connection.subscriptions.wantedItems().map(symbolOf));
    expect(items.size).toBe(40);
    for (const s of extras) expect(items.has(s)).toBe(true);
    // Program ranks are kept in rank order (as of the last poll, from the daemon's own book): every kept
    // ranked symbol outranks every left-out one.
    const book = daemon.kernel.book;
    const ranked = book.programTop().map((symbol) => ({ symbol, rank: book.snapshot(symbol)?.programRank ?? Infinity }));
    const watched = new Set(book.watchlist());
    const kept = ranked.filter((r) => items.has(r.symbol) && !extras.includes(r.symbol) && !watched.has(r.symbol)).map((r) => r.rank);
    const dropped = ranked.filter((r) => !items.has(r.symbol)).map((r) => r.rank);
    expect(dropped.length).toBeGreaterThan(0);
    expect(Math.max(...kept)).toBeLessThanOrEqual(Math.min(...dropped));
    // Per-symbol state follows the same budget: the book's universe is the subscribed set.
    expect([...book.universe()].sort()).toEqual([...items].sort());
    expect(daemon.connection.subscriptionStats.leftOut).toBeGreaterThan(0);
    expect(daemon.observability.metrics.render()).toMatch(/krx_universe_left_out [1-9]/);
    expect(sim.faults.counters().regRejections).toEqual({});
    expect(daemon.observability.health()).toMatchObject({ healthy: true });
  });

  it('a wall-clock step back and forward by hours: no freeze, no reconnect, /healthz stays truthful', { timeout: 60_000 }, async () => {
    const clock = createVirtualClock(OPEN - MIN);
    run = await startDaemonOnSim({ clock, sim: { seed: 'ntp', tradesPerSecond: 20 }, fileConfig: BASE, credentials: KIWOOM });
    const { daemon, sim } = run;
    const r = run;
    for (let i = 0; i < 60 && !live(r); i++) await runFor(clock, 1_000, 500, 5);
    await runFor(clock, MIN, 1_000, 5);
    expect(daemon.observability.health()).toMatchObject({ healthy: true });
    for (const step of [-3 * HOUR, 6 * HOUR, -3 * HOUR]) {
      const entries = daemon.connection.stats.entries;
      clock.stepWall(step);
      await runFor(clock, 2 * MIN, 1_000, 5);
      expect(daemon.connection.stats.entries, `entries after a ${step / HOUR} h step`).toBeGreaterThan(entries + 100);
      expect(daemon.connection.status().phase).toBe('live');
      const health = daemon.observability.health();
      expect(health.healthy).toBe(true);
      // REGs in flight for names a ranking poll just added are reported, not a fault of the step.
      expect(health.reasons.filter((r) => !/awaiting acknowledgement/.test(r))).toEqual([]);
    }
    expect(daemon.connection.status().reconnects).toBe(0);
    expect(sim.faults.counters().tokenIssuances.kiwoom).toBe(1);
    // Silenced now: the watchdog still fires on monotonic time after the steps, and health says so.
    sim.faults.setSilent(true);
    await runFor(clock, CONNECTION_WATCHDOG_MS + 1_000, 1_000, 5);
    expect(daemon.connection.status().lastError?.code).toBe('E_WS_WATCHDOG');
    expect(daemon.observability.health().healthy).toBe(false);
    sim.faults.setSilent(false);
  });

  it('a transient 8001 no longer parks it: an error line, 503 with the reason, retried on the long backoff, recovers', { timeout: 60_000 }, async () => {
    const clock = createVirtualClock(OPEN - MIN);
    // The simulator reads this list on every token request: the daemon's key is unknown (8001) until pushed.
    const accepted: SimKiwoomCredentials[] = [{ appkey: 'SOMEONEELSESKEY', secretkey: 'x' }];
    run = await startDaemonOnSim({
      clock,
      sim: { seed: '8001', tradesPerSecond: 20, kiwoomCredentials: accepted },
      fileConfig: { ...BASE, tokens: { credentialsRetryBaseMs: 60_000, credentialsRetryCapMs: 240_000, credentialsExitAfterMs: 2 * HOUR } },
      credentials: KIWOOM,
      keepLines: true,
    });
    const { daemon, sim, ledger } = run;
    let gaveUp = false;
    void daemon.gaveUp.then(() => (gaveUp = true));
    await runFor(clock, 20 * MIN, 5_000, 5);
    const v = daemon.observability.health();
    expect(v.healthy).toBe(false);
    expect(v.reasons.join(' ')).toMatch(/kiwoom token failed: E_AUTH_CREDENTIALS \(rejected for 20 min/);
    // One error line per rejected attempt: 20 minutes on a 60 s doubling backoff capped at 4 min is a few, not a loop.
    // Equal jitter waits at least half of each step (30, 60, 120, 120, ... s): at most 12 attempts in 20 minutes.
    const attempts = ledger.lines.filter((l) => l.level === 'error' && l.component === 'token' && l.code === 'E_AUTH_CREDENTIALS').length;
    expect(attempts).toBeGreaterThanOrEqual(4);
    expect(attempts).toBeLessThanOrEqual(12);

    accepted.push({ appkey: SIM_KIWOOM_APPKEY, secretkey: SIM_KIWOOM_SECRETKEY });
    await runFor(clock, 6 * MIN, 5_000, 5);
    await turns(20);
    expect(daemon.connection.status().phase).toBe('live');
    expect(daemon.observability.health()).toMatchObject({ healthy: true });
    expect(gaveUp).toBe(false);
  });

  it('bad credentials for tokens.credentialsExitAfterMs: the daemon gives up (the CLI then exits 77, test/integration/cli)', { timeout: 60_000 }, async () => {
    const clock = createVirtualClock(OPEN - MIN);
    run = await startDaemonOnSim({
      clock,
      sim: { seed: 'exit', kiwoomCredentials: [{ appkey: 'SOMEONEELSESKEY', secretkey: 'x' }] },
      fileConfig: { ...BASE, tokens: { credentialsExitAfterMs: 30 * MIN } },
      credentials: KIWOOM,
      keepLines: true,
    });
    const { daemon, ledger } = run;
    let gaveUp: { code: string } | undefined;
    void daemon.gaveUp.then((f) => (gaveUp = f));
    await runFor(clock, 29 * MIN, 10_000, 3);
    expect(gaveUp).toBeUndefined();
    await runFor(clock, 2 * MIN, 10_000, 3);
    expect(gaveUp).toMatchObject({ code: 'E_AUTH_CREDENTIALS' });
    expect(ledger.lines.some((l) => l.code === 'E_AUTH_GAVE_UP')).toBe(true);
  });
});
