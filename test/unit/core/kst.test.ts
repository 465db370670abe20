import { describe, expect, it } from 'vitest';
import {
  formatKstCompact,
  formatKstDashed,
  formatKstTime,
  kstDayIndex,
  kstDayStart,
  kstIsoDate,
  kstParts,
  kstToEpoch,
  kstTimeOnDayOf,
  parseKstCompact,
  parseKstDashed,
} from '../../../src/core/kst.js';

describe('KST time', () => {
  it("parses Kiwoom's expires_dt as KST wall clock whatever the host zone", () => {
    // 2024-11-07 08:37:13 KST = 2024-11-06 23:37:13 UTC
    expect(parseKstCompact('20241107083713')).toBe(Date.UTC(2024, 10, 6, 23, 37, 13));
    expect(formatKstCompact(Date.UTC(2024, 10, 6, 23, 37, 13))).toBe('20241107083713');
  });

  it("parses KIS's access_token_token_expired", () => {
    expect(parseKstDashed('2026-11-22 10:00:00')).toBe(Date.UTC(2026, 10, 22, 1, 0, 0));
    expect(formatKstDashed(Date.UTC(2026, 10, 22, 1, 0, 0))).toBe('2026-11-22 10:00:00');
  });

  it('rejects malformed and impossible stamps', () => {
    for (const bad of ['', '2024110708371', '20241307083713', '20240231083713', '2024110724000x', 'abcdefghijklmn']) {
      expect(parseKstCompact(bad)).toBeUndefined();
    }
    expect(parseKstDashed('2026-11-22T10:00:00')).toBeUndefined();
  });

  it('crosses the date line at 15:00 UTC', () => {
    const t = Date.UTC(2026, 10, 20, 15, 0, 0); // Saturday 00:00 KST
    expect(kstIsoDate(t)).toBe('2026-11-21');
    expect(kstParts(t).weekday).toBe(6);
    expect(formatKstTime(t + 9 * 3600_000 + 61_000)).toBe('090101');
  });

  it('resolves HHMMSS venue times on the KST day of the arrival stamp', () => {
    const arrival = Date.UTC(2026, 10, 20, 0, 30, 0); // 09:30 KST
    expect(kstTimeOnDayOf('092959', arrival)).toBe(Date.UTC(2026, 10, 20, 0, 29, 59));
    expect(kstTimeOnDayOf('99', arrival)).toBeUndefined();
    expect(kstTimeOnDayOf('246000', arrival)).toBeUndefined();
  });
});

describe('KST days', () => {
  it('starts a KST day at 00:00 KST (15:00 UTC the day before) whatever the time within it', () => {
    const midnight = kstToEpoch(2026, 1, 5, 0, 0, 0);
    expect(midnight).toBe(Date.UTC(2026, 0, 4, 15, 0, 0));
    expect(kstDayStart(midnight)).toBe(midnight);
    expect(kstDayStart(kstToEpoch(2026, 1, 5, 23, 59, 59))).toBe(midnight);
    expect(kstDayStart(midnight - 1)).toBe(kstToEpoch(2026, 1, 4, 0, 0, 0));
    expect(kstDayIndex(midnight) - kstDayIndex(midnight - 1)).toBe(1);
  });
});
