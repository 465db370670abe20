import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MARKET_SOURCES } from '../../../src/app/market-sources.js';
import { createPhaseFeedCheck } from '../../../src/app/phase-watch.js';
import { silentLogger } from '../../../src/core/logger.js';
import { startRealtimeHarness } from '../../support/realtime-harness.js';
import { loadMarketSessions } from '../../../src/config/market-sessions.js';
import { formatKstDashed, kstToEpoch } from '../../../src/core/kst.js';
import type { MarketEvent, PollEvent, RealtimeEvent } from '../../../src/core/market.js';
import { VENUES, createSessionSchedule, expectsSteadyFlow } from '../../../src/core/market-sessions.js';
import { STRATEGY_API_VERSION, defineStrategy } from '../../../src/core/strategy.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createStrategyHost } from '../../../src/engine/host.js';
import { loadStrategies } from '../../../src/engine/load-strategies.js';
import { createRegistry } from '../../../src/engine/registry.js';
import { createSilenceAlarm } from '../../../src/observability/silence-alarm.js';
import { createMarketBook } from '../../../src/pipeline/market-book.js';
import { createMarketStream, type PollSource } from '../../../src/pipeline/market-stream.js';

/**
 * The daemon's session-driven parts on a virtual clock over a whole trading day (08:00-20:00 KST)
 * and a week with a holiday: the real poll rows of the source table (their declared phases), the
 * market stream, the data-silence alarm as the daemon wires it, and the strategy host's phase
 * events. Run in-process and, by tz-day-walk.test.ts, under TZ=UTC and TZ=Asia/Seoul.
 */
const schedule = createSessionSchedule(loadMarketSessions());
const MIN = 60_000;
const kst = (ms: number): string => formatKstDashed(ms);

const phaseLog: string[] = [];
const phaseWatcher = defineStrategy({
  id: 'phase-log',
  version: '1.0.0',
  apiVersion: STRATEGY_API_VERSION,
  params: z.strictObject({}),
  needs: { events: ['phase'] },
  create: (ctx) => ({ onEvent: (e: MarketEvent) => void (e.kind === 'phase' && phaseLog.push(`${kst(ctx.now())} ${e.venue} ${e.phase}`)) }),
});

interface Walk {
  polls: { name: string; at: number }[];
  alarm: string[];
  stop(): void;
}

/** Starts the stream (real poll rows), the alarm and the host at `start`; frames arrive while `framesWhile` holds. */
function startWalk(clock: ReturnType<typeof createVirtualClock>, framesWhile: (ms: number) => boolean, checkIntervalMs: number): Walk {
  const polls: Walk['polls'] = [];
  const rows: PollSource[] = (['ranking', 'watchlist', 'program-trading'] as const).map((kind) => ({
    name: kind,
    periodMs: MIN,
    phases: MARKET_SOURCES[kind].phases,
    fetch: () => {
      polls.push({ name: kind, at: clock.now() });
      return Promise.resolve({ kind: 'watchlist', groups: [], tsEvent: clock.now(), tsRecv: clock.now() } as PollEvent);
    },
  }));
  const realtime$ = new Subject<RealtimeEvent>();
  const stream$ = createMarketStream({ clock, calendar: schedule.calendar, sessions: schedule, realtime$, polls: rows, onUniverseDiff: () => undefined, onError: () => undefined });
  const alarm: string[] = [];
  const silence = createSilenceAlarm({
    clock,
    silenceMs: MIN,
    checkIntervalMs,
    isSessionOpen: () => expectsSteadyFlow(schedule, clock.now()),
    isSubscribed: () => true,
    log: { warn: () => undefined, info: () => undefined },
    onChange: (c) => alarm.push(`${kst(clock.now())} ${c.active ? 'raised' : `cleared (${c.reason})`}`),
  });
  const host = createStrategyHost({ clock, book: createMarketBook(), sink: { write: () => undefined }, sessionId: 'walk', seed: 1, sessions: schedule, strategies: loadStrategies([{ id: 'phase-log' }], createRegistry([phaseWatcher])) });
  host.start();
  const sub = host.attach(stream$);
  const frames = clock.setInterval(() => {
    if (framesWhile(clock.now())) silence.frame();
  }, 10_000);
  silence.start();
  return {
    polls,
    alarm,
    stop: () => {
      sub.unsubscribe();
      host.stop();
      silence.stop();
      clock.clearInterval(frames);
    },
  };
}

describe('a whole trading day on the session profiles (virtual clock)', () => {
  const expectTz = process.env['KRX_WALK_TZ'];
  it.runIf(expectTz !== undefined)('runs under the requested time zone', () => {
    expect(process.env['TZ']).toBe(expectTz);
    const offsetMin = new Date(kstToEpoch(2026, 12, 7)).getTimezoneOffset(); // clock-ok: proves the host zone of this process
    expect(offsetMin).toBe(expectTz === 'Asia/Seoul' ? -540 : 0);
  });

  it('polls only in their phases, phase events at their instants, the silence alarm loud only in the continuous session', async () => {
    phaseLog.length = 0;
    const clock = createVirtualClock(kstToEpoch(2026, 12, 7, 7, 30));
    // Frames flow until 10:00, then the feed goes dead for the rest of the day.
    const walk = startWalk(clock, (ms) => ms < kstToEpoch(2026, 12, 7, 10, 0), 5_000);
    await clock.tickAsync(13 * 60 * MIN); // 07:30 -> 20:30
    walk.stop();

    for (const p of walk.polls) {
      const phases = VENUES.map((v) => schedule.phaseAt(v, p.at));
      const declared: readonly string[] = MARKET_SOURCES[p.name as 'ranking'].phases;
      const ok = declared.includes('session') ? phases.some((x) => x !== 'closed') : phases.some((x) => declared.includes(x));
      expect(ok, `${p.name} at ${kst(p.at)} in ${phases.join('/')}`).toBe(true);
    }
    const times = (name: string): string[] => walk.polls.filter((p) => p.name === name).map((p) => kst(p.at).slice(11, 16));
    // The watchlist polls the whole day on both venues; KRX's program data from 09:00 to 20:00 (not 15:30-15:40).
    expect(times('watchlist')[0]).toBe('08:00');
    expect(times('watchlist').at(-1)).toBe('19:59');
    expect(times('watchlist')).toHaveLength(12 * 60);
    expect(times('ranking')[0]).toBe('09:00');
    expect(times('ranking').at(-1)).toBe('19:59');
    expect(times('ranking')).not.toContain('15:35');
    expect(times('ranking')).not.toContain('08:45');
    expect(times('ranking')).toHaveLength(10 * 60 + 50); // 09:00-15:30 and 15:40-20:00
    expect(times('program-trading')).toEqual(times('ranking'));

    expect(phaseLog).toEqual([
      '2026-12-07 08:00:00 NXT nxt-pre-market',
      '2026-12-07 08:30:00 KRX pre-open-auction',
      '2026-12-07 08:50:00 NXT closed',
      '2026-12-07 09:00:00 KRX continuous',
      '2026-12-07 09:00:30 NXT nxt-main',
      '2026-12-07 15:20:00 KRX closing-auction',
      '2026-12-07 15:20:00 NXT closed',
      '2026-12-07 15:30:00 KRX closed',
      '2026-12-07 15:30:00 NXT nxt-after-market',
      '2026-12-07 15:40:00 KRX after-hours-close-price',
      '2026-12-07 16:00:00 KRX after-market',
      '2026-12-07 20:00:00 KRX closed',
      '2026-12-07 20:00:00 NXT closed',
    ]);
    // Last frame 09:59:50: loud one minute later (checked every 5 s), quiet from the closing auction on.
    expect(walk.alarm).toEqual(['2026-12-07 10:00:50 raised', '2026-12-07 15:20:00 cleared (session closed)']);
  });

  it('a week with a holiday: nothing on 12-25 (성탄절) and the weekend; phases again on Monday', async () => {
    phaseLog.length = 0;
    const clock = createVirtualClock(kstToEpoch(2026, 12, 24, 7, 0));
    const walk = startWalk(clock, () => true, MIN);
    await clock.tickAsync(kstToEpoch(2026, 12, 28, 21, 0) - clock.now());
    walk.stop();
    const days = [...new Set(walk.polls.map((p) => kst(p.at).slice(0, 10)))];
    expect(days).toEqual(['2026-12-24', '2026-12-28']);
    expect(phaseLog.filter((l) => l.includes('NXT nxt-pre-market'))).toEqual(['2026-12-24 08:00:00 NXT nxt-pre-market', '2026-12-28 08:00:00 NXT nxt-pre-market']);
    expect(phaseLog).toHaveLength(26);
    expect(walk.alarm).toEqual([]); // frames all along: never raised
  }, 60_000);

  it('the real-time connection on the simulator: subscriptions alive from the first phase to the last, 0s at every change agreeing with the profile, a crafted disagreement counted', async () => {
    const day = (h: number, m: number, sec = 0): number => kstToEpoch(2026, 12, 7, h, m, sec);
    const h = await startRealtimeHarness({
      start: day(7, 30),
      symbols: ['005930', '000660'],
      realtimeTypes: ['0B', '0A'],
      itemlessTypes: ['0s', '1h'],
      // PINGs every 10 s keep the socket busy all day (the watchdog), the simulator follows the phases.
      sim: { sessions: schedule, tickMs: 5_000, tradesPerSecond: 2, stocks: 100 },
    });
    try {
      const check = createPhaseFeedCheck(schedule, silentLogger);
      h.conn.marketWide$.subscribe((e) => check.onEvent(e));
      h.conn.start();
      await h.settled();
      expect(h.serverPairs()).toEqual(['000660|0A', '000660|0B', '005930|0A', '005930|0B', '|0s', '|1h']);
      /** Virtual time in 5 s steps, with real I/O between them (the socket's frames and PING echoes). */
      const runTo = async (to: number): Promise<void> => {
        while (h.clock.now() < to) {
          await h.clock.tickAsync(Math.min(5_000, to - h.clock.now()));
          for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
        }
      };
      const alive: string[] = [];
      let crafted: ReturnType<typeof check.stats> | null = null;
      for (let c = schedule.nextChanges(h.clock.now())[0]; c !== undefined && c.at <= day(20, 0); c = schedule.nextChanges(c.at)[0]) {
        if (crafted === null && c.at > day(11, 0)) {
          // 11:00, the continuous session: a 0s saying 장시작전 (0) must be counted as a disagreement.
          await runTo(day(11, 0));
          crafted = check.stats();
          h.sim.faults.sendFrames(['{"trnm":"REAL","data":[{"type":"0s","name":"장시작시간","item":"","values":{"215":"0","20":"110000","214":"000000"}}]}']);
          await h.until(() => check.stats().frames > crafted!.frames, 'the crafted 0s');
        }
        await runTo(c.at + 10_000);
        const st = h.conn.status();
        const held = JSON.stringify(h.serverPairs()) === JSON.stringify(h.conn.subscriptions.wantedPairs());
        alive.push(`${kst(c.at)} ${st.phase} ${st.subscriptions.ackedPairs}/${st.wantedPairs} ${held ? 'held' : 'NOT HELD'}`);
      }
      const changes = [...new Set(alive.map((a) => a.slice(0, 19)))];
      expect(changes[0]).toBe('2026-12-07 08:00:00');
      expect(changes.at(-1)).toBe('2026-12-07 20:00:00');
      expect(alive.filter((a) => !a.endsWith(' live 6/6 held'))).toEqual([]);
      expect(h.conn.status().reconnects).toBe(0);
      // One 0s per change instant (10), none disagreeing, plus the crafted one, counted.
      const end = check.stats();
      expect(crafted).toMatchObject({ disagreements: 0, unknown: 0 });
      expect(end).toEqual({ frames: 11, disagreements: 1, unknown: 0 });
      expect(h.marketWide.every((e) => e.kind === 'raw' && e.type === '0s' && e.symbol === '')).toBe(true);
      expect(h.conn.subscriptionStats.unregisteredEntries).toBe(0);
    } finally {
      await h.close();
    }
  }, 240_000);
});
