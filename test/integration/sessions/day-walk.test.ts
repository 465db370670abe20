import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MARKET_SOURCES } from '../../../src/app/market-sources.js';
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
});
