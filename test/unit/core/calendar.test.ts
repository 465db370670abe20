import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { alwaysOpenCalendar, createKrxCalendar } from '../../../src/core/calendar.js';
import { kstToEpoch } from '../../../src/core/kst.js';

// Every instant is built with kstToEpoch, so the assertions hold whatever the host TZ is.
const at = (d: number, h: number, m = 0, s = 0): number => kstToEpoch(2026, 1, d, h, m, s); // 2026-01-05 is a Monday

describe('KRX calendar', () => {
  const cal = createKrxCalendar({ holidays: ['2026-01-07'] });

  it('is open 09:00-15:30 KST on weekdays, half-open', () => {
    expect(cal.isOpen(at(5, 8, 59, 59))).toBe(false);
    expect(cal.isOpen(at(5, 9))).toBe(true);
    expect(cal.isOpen(at(5, 15, 29, 59))).toBe(true);
    expect(cal.isOpen(at(5, 15, 30))).toBe(false);
  });

  it('is closed on weekends and configured holidays', () => {
    expect(cal.isOpen(at(3, 10))).toBe(false); // Saturday
    expect(cal.isOpen(at(4, 10))).toBe(false); // Sunday
    expect(cal.isOpen(at(7, 10))).toBe(false); // holiday (Wednesday)
    expect(cal.isOpen(at(8, 10))).toBe(true);
  });

  it('finds the next open and close', () => {
    expect(cal.nextOpen(at(5, 8))).toBe(at(5, 9));
    expect(cal.nextOpen(at(5, 9))).toBe(at(5, 9));
    expect(cal.nextOpen(at(5, 10))).toBe(at(6, 9));
    expect(cal.nextOpen(at(6, 16))).toBe(at(8, 9)); // skips the holiday
    expect(cal.nextOpen(at(9, 16))).toBe(at(12, 9)); // Friday evening -> Monday
    expect(cal.nextClose(at(5, 10))).toBe(at(5, 15, 30));
    expect(cal.nextClose(at(5, 8))).toBe(at(5, 15, 30));
    expect(cal.nextClose(at(5, 15, 30))).toBe(at(6, 15, 30));
    expect(cal.nextClose(at(10, 12))).toBe(at(12, 15, 30)); // Saturday
  });

  it('handles the KST day boundary (UTC date differs before 09:00 KST)', () => {
    // 00:30 KST Monday is still Sunday in UTC.
    expect(cal.nextOpen(at(5, 0, 30))).toBe(at(5, 9));
    expect(cal.isOpen(at(5, 0, 30))).toBe(false);
  });

  it('takes configured session times and special days', () => {
    const c = createKrxCalendar({ open: '10:00', close: '16:30', specialDays: { '2026-01-06': { open: '09:30', close: '12:00' } } });
    expect(c.isOpen(at(5, 9, 30))).toBe(false);
    expect(c.isOpen(at(5, 16))).toBe(true);
    expect(c.isOpen(at(6, 9, 30))).toBe(true);
    expect(c.nextClose(at(6, 10))).toBe(at(6, 12));
  });

  it('rejects bad configuration with a ConfigError', () => {
    expect(() => createKrxCalendar({ open: '9:00' })).toThrow(ConfigError);
    expect(() => createKrxCalendar({ open: '16:00', close: '15:30' })).toThrow(/after open/);
    expect(() => createKrxCalendar({ holidays: ['2026/01/01'] })).toThrow(/calendar.holidays/);
  });
});

describe('always-open calendar', () => {
  it('is always open', () => {
    expect(alwaysOpenCalendar.isOpen(at(3, 3))).toBe(true);
    expect(alwaysOpenCalendar.nextOpen(123)).toBe(123);
    expect(alwaysOpenCalendar.nextClose(123)).toBe(Number.POSITIVE_INFINITY);
  });
});
