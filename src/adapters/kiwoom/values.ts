import { KST_OFFSET_MS } from '../../core/kst.js';
/**
 * Kiwoom's numeric strings (REST bodies and WebSocket FIDs alike), parsed without allocating.
 *
 * Wire forms (protocol.md section 4): prices carry a direction sign or a leading space
 * (`"+68100"`, `"-66000"`, `" 67300"`, `"6200"`); changes are genuinely signed (`"-50"`);
 * rates have two decimals (`"+0.89"`); sign codes are `1`-`5`; times `HHMMSS`; dates `YYYYMMDD`.
 *
 * Error policy: every function returns NaN for an empty string, a blank string or garbage, and never
 * throws. The hot path checks `Number.isNaN` and decides (the REST schemas map empty to null and
 * garbage to a DecodeError). Leading and trailing spaces are ignored; one leading `+` or `-` is allowed,
 * or `--` (the real server's doubled minus, protocol.md 10.2). Zero padding (`"00005990"`) reads as the
 * number; `"-0"` as 0.
 */

const SPACE = 32;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** Signed decimal with up to 15 fraction digits; NaN if not a number. */
function parseDecimal(s: string, allowDot: boolean): number {
  let i = 0;
  let end = s.length;
  while (i < end && s.charCodeAt(i) === SPACE) i++;
  while (end > i && s.charCodeAt(end - 1) === SPACE) end--;
  if (i === end) return NaN;
  let neg = false;
  const c0 = s.charCodeAt(i);
  if (c0 === PLUS) i++;
  else if (c0 === MINUS) {
    neg = true;
    i++;
    // A doubled minus is one negative sign: ka10061 sends "--23533" for -23533 (KWP:종목정보/ka10061.txt
    // @372a17f; only so does its row sum to zero).
    if (s.charCodeAt(i) === MINUS) i++;
  }
  let value = 0;
  let digits = 0;
  let decimals = -1; // -1: no dot seen yet
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= ZERO && c <= NINE) {
      value = value * 10 + (c - ZERO);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === DOT && allowDot && decimals < 0) {
      decimals = 0;
    } else {
      return NaN;
    }
  }
  // Past ~309 digits the value overflows to Infinity: unreadable, not a number to trade on.
  if (digits === 0 || decimals > 15 || value === Infinity) return NaN;
  if (decimals > 0) value = value / (POW10[decimals] as number);
  // No negative zero: "-0" and "-0.00" read as 0.
  return neg && value !== 0 ? -value : value;
}

/** A price magnitude: `"+68100"` -> 68100, `"-66000"` -> 66000, `" 67300"` -> 67300. */
export function parsePrice(s: string): number {
  const v = parseDecimal(s, false);
  return v < 0 ? -v : v;
}

/** The direction a price string carries versus the previous close: 1 (`+`), -1 (`-`), 0 (none); NaN if not a number. */
export function parsePriceDirection(s: string): number {
  const v = parseDecimal(s, false);
  if (v !== v) return NaN;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === PLUS) return 1;
    if (c === MINUS) return -1;
    if (c !== SPACE) return 0;
  }
  return 0;
}

/** A signed integer (changes, net amounts): `"-50"` -> -50, `"+600"` -> 600, `"0000123"` -> 123. */
export function parseSigned(s: string): number {
  return parseDecimal(s, false);
}

/** A signed decimal (rates in percent): `"+0.89"` -> 0.89, `"-0.67"` -> -0.67. */
export function parseRate(s: string): number {
  return parseDecimal(s, true);
}

/**
 * A rate with two implied decimals when written without a point: ka10059 `flu_rt` `"+122"` = 1.22 %,
 * `"-415"` = -4.15 % (KWP:종목정보/ka10059.txt @372a17f, checked against `pred_pre`; seed 003 says
 * "우측 2자리 소수점자리수"). A written point is honoured (`"+1.22"` = 1.22), so both spellings agree.
 */
export function parseImpliedRate(s: string): number {
  if (s.indexOf('.') >= 0) return parseDecimal(s, true);
  return parseDecimal(s, false) / 100;
}

/** A sign code 1-5 (1 상한, 2 상승, 3 보합, 4 하한, 5 하락); NaN if anything else. */
export function parseSignCode(s: string): number {
  const v = parseDecimal(s, false);
  return v >= 1 && v <= 5 ? v : NaN;
}

/**
 * `HHMMSS` -> seconds since KST midnight (`"154912"` -> 56952). `"000000"` reads as 0: the feed uses
 * it for "not yet" (FIDs 567/568), which the caller decides. NaN if not six digits or out of range.
 */
export function parseHhmmss(s: string): number {
  const start = firstNonSpace(s);
  if (lastNonSpace(s) - start !== 6) return NaN;
  const h = twoDigits(s, start);
  const m = twoDigits(s, start + 2);
  const sec = twoDigits(s, start + 4);
  if (!(h <= 23 && m <= 59 && sec <= 59)) return NaN; // NaN fails every comparison
  return h * 3600 + m * 60 + sec;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `YYYYMMDD` -> epoch ms of that day's KST midnight (`"20241107"` -> 2024-11-06T15:00:00Z).
 * NaN if not eight digits or not a calendar date.
 */
export function parseYyyymmdd(s: string): number {
  const start = firstNonSpace(s);
  if (lastNonSpace(s) - start !== 8) return NaN;
  const y = twoDigits(s, start) * 100 + twoDigits(s, start + 2);
  const mo = twoDigits(s, start + 4);
  const d = twoDigits(s, start + 6);
  if (!(mo >= 1 && mo <= 12 && d >= 1)) return NaN;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const dim = mo === 2 && leap ? 29 : (DAYS_IN_MONTH[mo - 1] as number);
  if (d > dim) return NaN;
  return Date.UTC(y, mo - 1, d) - KST_OFFSET_MS;
}

function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - ZERO;
  const b = s.charCodeAt(i + 1) - ZERO;
  if (a < 0 || a > 9 || b < 0 || b > 9) return NaN; // also covers NaN char codes past the end
  return a * 10 + b;
}

function firstNonSpace(s: string): number {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) === SPACE) i++;
  return i;
}

/** One past the last non-space character. */
function lastNonSpace(s: string): number {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === SPACE) e--;
  return e;
}
