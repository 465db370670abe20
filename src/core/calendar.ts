import { ConfigError } from './errors.js';
import { DAY_MS, KST_OFFSET_MS, kstDayIndex, kstIsoDate } from './kst.js';

/**
 * When the market is in session. Pure: every answer is a function of the epoch ms passed in and the
 * options, computed in KST (UTC+9, no DST), never in the host's time zone. Sessions are half-open:
 * `[open, close)`.
 */
export interface MarketCalendar {
  readonly kind: 'krx' | 'sessions' | 'always-open';
  isOpen(epochMs: number): boolean;
  /** The first session start at or after `epochMs` (the next day's open when called mid-session). */
  nextOpen(epochMs: number): number;
  /** The end of the session in progress, else of the next session. Infinity if none within two years. */
  nextClose(epochMs: number): number;
}

export interface SessionTimes {
  /** KST `HH:MM`. */
  readonly open: string;
  readonly close: string;
}

export interface KrxCalendarOptions {
  /** Regular session; default 09:00-15:30 KST. */
  readonly open?: string;
  readonly close?: string;
  /** Closed days, ISO `YYYY-MM-DD` (KST). */
  readonly holidays?: readonly string[];
  /** Days with other hours (e.g. the 수능 day opens 10:00 and closes 16:30), keyed by ISO date. */
  readonly specialDays?: Readonly<Record<string, SessionTimes>>;
}

const SEARCH_DAYS = 2 * 366;

/**
 * The KRX regular-session calendar: weekends and configured holidays closed.
 *
 * @example
 * const cal = createKrxCalendar({ holidays: ['2026-01-01'] });
 * cal.isOpen(kstToEpoch(2026, 1, 2, 9, 0)); // true (a Friday, 09:00 KST)
 */
export function createKrxCalendar(options: KrxCalendarOptions = {}): MarketCalendar {
  const regular = parseSession({ open: options.open ?? '09:00', close: options.close ?? '15:30' }, 'calendar');
  const holidays = new Set(options.holidays ?? []);
  for (const day of holidays) checkIsoDate(day, 'calendar.holidays');
  const special = new Map<string, { open: number; close: number }>();
  for (const [day, times] of Object.entries(options.specialDays ?? {})) {
    checkIsoDate(day, 'calendar.specialDays');
    special.set(day, parseSession(times, `calendar.specialDays.${day}`));
  }

  /** The session of the KST day with this index (days since 1970-01-01 KST), or null if closed. */
  const sessionOfDay = (dayIndex: number): { open: number; close: number } | null => {
    const weekday = (dayIndex + 4) % 7; // 1970-01-01 was a Thursday
    if (weekday === 0 || weekday === 6) return null;
    const start = dayIndex * DAY_MS - KST_OFFSET_MS;
    const iso = kstIsoDate(start);
    if (holidays.has(iso)) return null;
    const times = special.get(iso) ?? regular;
    return { open: start + times.open, close: start + times.close };
  };

  return {
    kind: 'krx',
    isOpen(epochMs) {
      const s = sessionOfDay(kstDayIndex(epochMs));
      return s !== null && epochMs >= s.open && epochMs < s.close;
    },
    nextOpen(epochMs) {
      const first = kstDayIndex(epochMs);
      for (let d = first; d <= first + SEARCH_DAYS; d++) {
        const s = sessionOfDay(d);
        if (s !== null && s.open >= epochMs) return s.open;
      }
      return Number.POSITIVE_INFINITY;
    },
    nextClose(epochMs) {
      const first = kstDayIndex(epochMs);
      for (let d = first; d <= first + SEARCH_DAYS; d++) {
        const s = sessionOfDay(d);
        if (s !== null && s.close > epochMs) return s.close;
      }
      return Number.POSITIVE_INFINITY;
    },
  };
}

/** Always in session: the simulator's calendar. */
export const alwaysOpenCalendar: MarketCalendar = {
  kind: 'always-open',
  isOpen: () => true,
  nextOpen: (epochMs) => epochMs,
  nextClose: () => Number.POSITIVE_INFINITY,
};

function parseSession(times: SessionTimes, path: string): { open: number; close: number } {
  const open = parseHhmm(times.open, `${path}.open`);
  const close = parseHhmm(times.close, `${path}.close`);
  if (close <= open) throw new ConfigError([`${path}: close (${times.close}) must be after open (${times.open})`]);
  return { open, close };
}

/** `HH:MM` -> ms after KST midnight. */
function parseHhmm(text: string, path: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!m) throw new ConfigError([`${path}: expected a KST time HH:MM, got "${text}"`]);
  return (Number(m[1]) * 60 + Number(m[2])) * 60_000;
}

function checkIsoDate(text: string, path: string): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw new ConfigError([`${path}: expected a date YYYY-MM-DD, got "${text}"`]);
}
