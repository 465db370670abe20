import type { Clock, TimerHandle } from '../core/clock.js';
import { formatKstDashed } from '../core/kst.js';
import type { Logger } from '../core/logger.js';
import type { MarketEvent } from '../core/market.js';
import type { MetricsRegistry } from '../observability/index.js';
import { VENUES, type Phase, type PhaseChange, type SessionSchedule, type Venue } from '../core/market-sessions.js';

/** Node's timers hold at most 2^31-1 ms; a longer wait is re-armed. */
const MAX_TIMER_MS = 2_147_483_647;

export interface PhaseWatch {
  /** Each venue's phase now. */
  current(): Readonly<Record<Venue, Phase>>;
  stop(): void;
}

/**
 * Logs each venue's phase change at its instant (a timer on the clock) and, when every venue has
 * closed, when the next session starts: the daemon runs through the whole day and says where it is.
 */
export function watchPhases(schedule: SessionSchedule, clock: Clock, log: Logger, onChange?: (changes: readonly PhaseChange[]) => void): PhaseWatch {
  let timer: TimerHandle | undefined;
  let stopped = false;
  const current = (): Record<Venue, Phase> => {
    const now = clock.now();
    return Object.fromEntries(VENUES.map((v) => [v, schedule.phaseAt(v, now)])) as Record<Venue, Phase>;
  };

  const announceClosed = (): void => {
    const now = clock.now();
    if (VENUES.some((v) => schedule.phaseAt(v, now) !== 'closed')) return;
    const next = schedule.calendar.nextOpen(now);
    const when = Number.isFinite(next) ? `${formatKstDashed(next)} KST` : 'not within 30 days';
    log.info({ event: 'market.closed', nextOpen: Number.isFinite(next) ? next : null }, `market closed; next session starts ${when}`);
  };

  const arm = (): void => {
    if (stopped) return;
    const next = schedule.nextChanges(clock.now())[0];
    if (!next) return;
    const wait = next.at - clock.now();
    timer = clock.setTimeout(() => {
      timer = undefined;
      if (clock.now() >= next.at) fire();
      else arm(); // a wait longer than one timer allows
    }, Math.min(Math.max(wait, 0), MAX_TIMER_MS));
  };

  const fire = (): void => {
    const changes = schedule.nextChanges(clock.now() - 1).filter((c) => c.at <= clock.now());
    for (const c of changes) log.info({ event: 'phase.changed', venue: c.venue, phase: c.phase }, `phase ${c.venue} ${c.phase}`);
    onChange?.(changes);
    announceClosed();
    arm();
  };

  const now = current();
  log.info({ event: 'phase.current', ...now }, `phase ${VENUES.map((v) => `${v} ${now[v]}`).join(', ')}`);
  announceClosed();
  arm();
  return {
    current,
    stop: () => {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
    },
  };
}

/**
 * FID 215 장운영구분 of the `0s` 장시작시간 frame, by the legacy OpenAPI+ guide v1.5 section 8.17
 * (protocol.md 11.3; undocumented for REST): the KRX phases each code agrees with. Config
 * `calendar.fid215` replaces it once the live codes are known.
 */
export type Fid215Table = Readonly<Record<string, { readonly meaning: string; readonly phases: readonly Phase[] }>>;

export const LEGACY_FID_215: Fid215Table = {
  '0': { meaning: '장시작전', phases: ['closed', 'pre-open-auction'] },
  '3': { meaning: '장시작', phases: ['continuous'] },
  '2': { meaning: '장종료전', phases: ['continuous', 'closing-auction'] },
  '4': { meaning: '장종료', phases: ['closed', 'after-hours-close-price', 'after-hours-single-price', 'after-market'] },
  '8': { meaning: '장종료', phases: ['closed', 'after-hours-close-price', 'after-hours-single-price', 'after-market'] },
  '9': { meaning: '장마감', phases: ['closed', 'after-hours-close-price', 'after-hours-single-price', 'after-market'] },
};

/** A 0s frame arriving this long after a phase change still agrees with the phase before it. */
const FRAME_LAG_MS = 5_000;

export interface PhaseFeedStats {
  readonly frames: number;
  /** Known codes that disagree with the KRX profile at their arrival. */
  readonly disagreements: number;
  /** Frames with a code the table does not know (kept raw in the log). */
  readonly unknown: number;
}

/**
 * Checks each `0s` 장시작시간 entry (a raw event: its values kept as sent) against the KRX profile:
 * a known FID 215 code is decoded and every disagreement logged and counted; an unknown code is
 * logged raw (once per code) and counted. The profile stays the authority either way.
 */
export function createPhaseFeedCheck(schedule: Pick<SessionSchedule, 'phaseAt'>, log: Logger, table: Fid215Table = LEGACY_FID_215): { onEvent(e: MarketEvent): void; stats(): PhaseFeedStats } {
  let frames = 0;
  let disagreements = 0;
  let unknown = 0;
  const unknownSeen = new Set<string>();
  return {
    onEvent(e) {
      if (e.kind !== 'raw' || e.type !== '0s') return;
      frames++;
      const code = String(e.values['215'] ?? '').trim().slice(0, 8);
      const known = Object.hasOwn(table, code) ? table[code] : undefined;
      if (known === undefined) {
        unknown++;
        if (unknownSeen.size < 32 && !unknownSeen.has(code)) {
          unknownSeen.add(code);
          log.info({ event: 'phase.feed.unknown', fid215: code, values: e.values }, `0s: FID 215 '${code}' is not a known code (kept raw)`);
        }
        return;
      }
      const now = schedule.phaseAt('KRX', e.tsRecv);
      const before = schedule.phaseAt('KRX', e.tsRecv - FRAME_LAG_MS);
      if (known.phases.includes(now) || known.phases.includes(before)) return;
      disagreements++;
      log.warn({ event: 'phase.feed.disagrees', fid215: code, meaning: known.meaning, profile: now, count: disagreements }, `0s says ${known.meaning} (${code}) but the profile says KRX ${now}`);
    },
    stats: () => ({ frames, disagreements, unknown }),
  };
}

/** The phase feed check's counters on /metrics. */
export function registerPhaseFeedMetrics(metrics: MetricsRegistry, read: () => PhaseFeedStats): void {
  metrics.collect('krx_phase_feed_frames_total', '0s 장시작시간 entries checked against the session profile', 'counter', [], () => read().frames);
  metrics.collect('krx_phase_feed_disagreements_total', '0s entries whose FID 215 code disagrees with the session profile', 'counter', [], () => read().disagreements);
  metrics.collect('krx_phase_feed_unknown_total', '0s entries with an FID 215 code the legacy table does not know (kept raw)', 'counter', [], () => read().unknown);
}
