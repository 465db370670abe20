import { describe, expect, it } from 'vitest';
import { parseSince } from '../../../src/adapters/store/parse-since.js';

const NOW = Date.UTC(2026, 10, 21, 3, 0, 0); // 12:00 KST

describe('parseSince', () => {
  it('reads durations back from now', () => {
    expect(parseSince('30m', NOW)).toBe(NOW - 30 * 60_000);
    expect(parseSince('2h', NOW)).toBe(NOW - 2 * 3_600_000);
    expect(parseSince('1h30m', NOW)).toBe(NOW - 90 * 60_000);
    expect(parseSince('45s', NOW)).toBe(NOW - 45_000);
    expect(parseSince('7d', NOW)).toBe(NOW - 7 * 86_400_000);
  });

  it('reads dates and date-times as KST unless a zone is given', () => {
    expect(parseSince('2026-11-21', NOW)).toBe(Date.UTC(2026, 10, 20, 15, 0, 0));
    expect(parseSince('2026-11-21T09:30', NOW)).toBe(Date.UTC(2026, 10, 21, 0, 30, 0));
    expect(parseSince('2026-11-21 09:30:15', NOW)).toBe(Date.UTC(2026, 10, 21, 0, 30, 15));
    expect(parseSince('2026-11-21T09:30:15.250', NOW)).toBe(Date.UTC(2026, 10, 21, 0, 30, 15, 250));
    expect(parseSince('2026-11-21T00:30:00Z', NOW)).toBe(Date.UTC(2026, 10, 21, 0, 30, 0));
    expect(parseSince('2026-11-21T09:30:00+09:00', NOW)).toBe(Date.UTC(2026, 10, 21, 0, 30, 0));
    expect(parseSince('2026-11-21T01:30:00+0100', NOW)).toBe(Date.UTC(2026, 10, 21, 0, 30, 0));
    expect(parseSince('2026-11-20T19:30:00-05:00', NOW)).toBe(Date.UTC(2026, 10, 21, 0, 30, 0));
  });

  it.each(['', 'yesterday', '30', 'm30', '2026-02-30', '2026-13-01', '2026-11-21T24:00', '1.5h', '-2h'])('refuses %j with E_CLI_USAGE', (bad) => {
    expect(() => parseSince(bad, NOW)).toThrow(expect.objectContaining({ code: 'E_CLI_USAGE' }));
  });
});
