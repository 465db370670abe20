import type { Clock, TimerHandle } from '../core/clock.js';
import { formatKstDashed } from '../core/kst.js';
import type { Logger } from '../core/logger.js';
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
