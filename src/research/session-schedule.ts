import { alwaysOpenCalendar, createKrxCalendar, type MarketCalendar } from '../core/calendar.js';

/**
 * When a symbol's trading day ends and which phase it is in. A report is given one; the default is
 * built from the calendar the recorded run used. A per-venue schedule with phases (auctions,
 * after-hours) can replace it without touching the report.
 */
export interface SessionSchedule {
  /** The end of the trading day in progress at `t` (a signal at the close has none left); Infinity when always open. */
  sessionEnd(symbol: string, t: number): number;
  /** The phase at `t`, or null when the schedule does not know. */
  phaseAt(symbol: string, t: number): string | null;
}

/** The calendar of a recorded run, from the config summary in its meta (as the kernel plans it). */
export function recordedCalendar(config: unknown): MarketCalendar {
  const c = (typeof config === 'object' && config !== null ? config : {}) as { mode?: unknown; calendar?: Record<string, unknown> };
  const cal = c.calendar ?? {};
  const kind = cal.kind === 'krx' || cal.kind === 'always-open' ? cal.kind : c.mode === 'live' ? 'krx' : 'always-open';
  if (kind === 'always-open') return alwaysOpenCalendar;
  return createKrxCalendar({
    open: typeof cal.open === 'string' ? cal.open : '09:00',
    close: typeof cal.close === 'string' ? cal.close : '15:30',
    holidays: Array.isArray(cal.holidays) ? cal.holidays.filter((d): d is string => typeof d === 'string') : [],
  });
}

/** One schedule for every symbol: the regular session of `calendar`. */
export function calendarSchedule(calendar: MarketCalendar): SessionSchedule {
  return {
    // nextClose(t - 1): at the close itself, the day that just ended (not tomorrow's).
    sessionEnd: (_symbol, t) => calendar.nextClose(t - 1),
    phaseAt: (_symbol, t) => (calendar.kind === 'krx' ? (calendar.isOpen(t) ? 'regular' : 'closed') : null),
  };
}
