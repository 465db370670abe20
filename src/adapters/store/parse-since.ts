import { UsageError } from '../../core/errors.js';
import { kstToEpoch } from '../../core/kst.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses `--since`: a duration back from `nowMs` (`30m`, `2h`, `1h30m`, `45s`, `7d`), a KST date
 * (`2026-11-21` = KST midnight), or a date-time (`2026-11-21T09:30`, seconds optional; KST unless
 * it ends in `Z` or an offset such as `+09:00`). Returns epoch ms; throws E_CLI_USAGE otherwise.
 */
export function parseSince(text: string, nowMs: number): number {
  const t = text.trim();
  if (/^(\d+[smhd])+$/.test(t)) {
    let ms = 0;
    for (const m of t.matchAll(/(\d+)([smhd])/g)) ms += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
    return nowMs - ms;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(t);
  if (m) {
    const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v))) as number[];
    const frac = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
    if (valid(y, mo, d, h, mi, s)) {
      const zone = m[8];
      const kst = kstToEpoch(y as number, mo as number, d as number, h, mi, s) + frac;
      if (zone === undefined) return kst;
      if (zone === 'Z') return kst + 9 * 3_600_000;
      const sign = zone.startsWith('-') ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      const offsetMs = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
      return kst + 9 * 3_600_000 - offsetMs;
    }
  }
  throw new UsageError(`--since: expected a duration (30m, 2h, 1h30m, 7d), a date (2026-11-21) or a date-time (2026-11-21T09:30[:00][+09:00]); got ${JSON.stringify(text)}`);
}

function valid(...[y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0]: (number | undefined)[]): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate(); // days in that month
}
