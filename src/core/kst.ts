/**
 * Korea Standard Time helpers. KST is UTC+9 all year (no DST), so conversions are pure arithmetic
 * and never depend on the host's time zone.
 */
export const KST_OFFSET_MS = 9 * 3600_000;
export const DAY_MS = 86_400_000;

/** The KST day of an epoch ms, as days since 1970-01-01 KST (the calendar's and the snapshot's day key). */
export function kstDayIndex(epochMs: number): number {
  return Math.floor((epochMs + KST_OFFSET_MS) / DAY_MS);
}

/** Epoch ms of 00:00 KST on the day of `epochMs`. */
export function kstDayStart(epochMs: number): number {
  return kstDayIndex(epochMs) * DAY_MS - KST_OFFSET_MS;
}

export interface KstParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday ... 6 = Saturday */
  weekday: number;
}

export function kstParts(epochMs: number): KstParts {
  const d = new Date(epochMs + KST_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

/** Epoch ms of a KST wall-clock time. */
export function kstToEpoch(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  return Date.UTC(year, month - 1, day, hour, minute, second) - KST_OFFSET_MS;
}

/** Parses Kiwoom's `expires_dt` (`YYYYMMDDHHMMSS`, KST wall clock) to epoch ms; undefined if malformed. */
export function parseKstCompact(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  return kstFromFields(m.slice(1).map(Number));
}

/** Parses KIS's `access_token_token_expired` (`YYYY-MM-DD HH:MM:SS`, KST) to epoch ms. */
export function parseKstDashed(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  return kstFromFields(m.slice(1).map(Number));
}

function kstFromFields(f: number[]): number | undefined {
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = f;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = kstToEpoch(y, mo, d, h, mi, s);
  const back = kstParts(ms);
  return back.day === d && back.month === mo ? ms : undefined;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `YYYYMMDDHHMMSS` in KST. */
export function formatKstCompact(epochMs: number): string {
  const p = kstParts(epochMs);
  return `${p.year}${pad(p.month)}${pad(p.day)}${pad(p.hour)}${pad(p.minute)}${pad(p.second)}`;
}

/** `YYYY-MM-DD HH:MM:SS` in KST. */
export function formatKstDashed(epochMs: number): string {
  const p = kstParts(epochMs);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** `YYYYMMDD` in KST. */
export function formatKstDate(epochMs: number): string {
  const p = kstParts(epochMs);
  return `${p.year}${pad(p.month)}${pad(p.day)}`;
}

/** `YYYY-MM-DD` in KST (the calendar's holiday key). */
export function kstIsoDate(epochMs: number): string {
  const p = kstParts(epochMs);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** `HHMMSS` in KST (Kiwoom's real-time time fields). */
export function formatKstTime(epochMs: number): string {
  const p = kstParts(epochMs);
  return `${pad(p.hour)}${pad(p.minute)}${pad(p.second)}`;
}

/** Minutes since KST midnight. */
export function kstMinuteOfDay(epochMs: number): number {
  const p = kstParts(epochMs);
  return p.hour * 60 + p.minute;
}

/**
 * Resolves an `HHMMSS` venue time to epoch ms on the KST day of `referenceMs`. Kiwoom's real-time
 * times carry no date, so the day comes from our own arrival stamp.
 */
export function kstTimeOnDayOf(hhmmss: string, referenceMs: number): number | undefined {
  if (hhmmss.length !== 6) return undefined;
  const h = Number(hhmmss.slice(0, 2));
  const mi = Number(hhmmss.slice(2, 4));
  const s = Number(hhmmss.slice(4, 6));
  if (!(h <= 23 && mi <= 59 && s <= 59) || Number.isNaN(h + mi + s)) return undefined;
  const p = kstParts(referenceMs);
  return kstToEpoch(p.year, p.month, p.day, h, mi, s);
}
