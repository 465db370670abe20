import { describe, expect, it } from 'vitest';
import { loadMarketSessions } from '../../../src/config/market-sessions.js';
import { ConfigError } from '../../../src/core/errors.js';
import { kstToEpoch } from '../../../src/core/kst.js';
import { createSessionSchedule, type MarketSessionsFile, type Phase, type Venue } from '../../../src/core/market-sessions.js';

const file = loadMarketSessions();
const at = (y: number, mo: number, d: number, h: number, mi = 0, s = 0): number => kstToEpoch(y, mo, d, h, mi, s);

/** Every phase change of one KST day, walked second by second: the reference for nextChange. */
function walk(schedule: ReturnType<typeof createSessionSchedule>, y: number, mo: number, d: number): string[] {
  const out: string[] = [];
  const last = new Map<Venue, Phase>();
  for (let t = at(y, mo, d, 0); t < at(y, mo, d, 24); t += 1000) {
    for (const venue of ['KRX', 'NXT'] as const) {
      const phase = schedule.phaseAt(venue, t);
      if (last.get(venue) !== phase) {
        if (last.has(venue)) out.push(`${new Date(t + 9 * 3600_000).toISOString().slice(11, 19)} ${venue} ${phase}`);
        last.set(venue, phase);
      }
    }
  }
  return out;
}

describe('market sessions (2026 profiles)', () => {
  const schedule = createSessionSchedule(file);

  it('walks a whole trading day after 2026-09-14: both venues, every phase boundary, 08:00-20:00', () => {
    expect(walk(schedule, 2026, 12, 7)).toEqual([
      '08:00:00 NXT nxt-pre-market',
      '08:30:00 KRX pre-open-auction',
      '08:50:00 NXT closed',
      '09:00:00 KRX continuous',
      '09:00:30 NXT nxt-main',
      '15:20:00 KRX closing-auction',
      '15:20:00 NXT closed',
      '15:30:00 KRX closed',
      '15:30:00 NXT nxt-after-market',
      '15:40:00 KRX after-hours-close-price',
      '16:00:00 KRX after-market',
      '20:00:00 KRX closed',
      '20:00:00 NXT closed',
    ]);
  });

  it('nextChanges finds exactly the boundaries the walk finds, both venues at once, across a weekend', () => {
    expect(schedule.nextChanges(at(2026, 12, 4, 19, 59))).toEqual([
      { at: at(2026, 12, 4, 20), venue: 'KRX', phase: 'closed' },
      { at: at(2026, 12, 4, 20), venue: 'NXT', phase: 'closed' },
    ]);
    // After Friday 20:00 the next change is Monday's NXT pre-market.
    expect(schedule.nextChanges(at(2026, 12, 4, 20))).toEqual([{ at: at(2026, 12, 7, 8), venue: 'NXT', phase: 'nxt-pre-market' }]);
    const seen: string[] = [];
    for (let t = at(2026, 12, 7, 0); ; ) {
      const changes = schedule.nextChanges(t);
      const first = changes[0];
      if (!first || first.at >= at(2026, 12, 8, 0)) break;
      for (const c of changes) seen.push(`${new Date(c.at + 9 * 3600_000).toISOString().slice(11, 19)} ${c.venue} ${c.phase}`);
      t = first.at;
    }
    expect(seen).toEqual(walk(schedule, 2026, 12, 7));
  });

  it('keeps the single-price after-hours session before 2026-09-14 and the after-market from it', () => {
    expect(schedule.phaseAt('KRX', at(2026, 9, 11, 17))).toBe('after-hours-single-price');
    expect(schedule.phaseAt('KRX', at(2026, 9, 11, 19))).toBe('closed');
    expect(schedule.phaseAt('KRX', at(2026, 9, 14, 19))).toBe('after-market');
    expect(schedule.profileIds(at(2026, 9, 11, 12))).toEqual(['krx-2025-03', 'nxt-2025-03']);
    expect(schedule.profileIds(at(2026, 9, 14, 12))).toEqual(['krx-2026-09', 'nxt-2025-03']);
  });

  it('a replay that knew only the old profiles keeps the old phases after the profiles change', () => {
    const pinned = createSessionSchedule(file, { knownProfiles: ['krx-2025-03', 'nxt-2025-03'] });
    expect(pinned.knownProfiles).toEqual(['krx-2025-03', 'nxt-2025-03']);
    expect(schedule.knownProfiles).toEqual(file.profiles.map((p) => p.id));
    expect(pinned.phaseAt('KRX', at(2026, 12, 7, 17))).toBe('after-hours-single-price');
    expect(pinned.phaseAt('KRX', at(2026, 12, 7, 19))).toBe('closed');
    expect(() => createSessionSchedule(file, { knownProfiles: ['krx-2099-01'] })).toThrow(ConfigError);
  });

  it('closes weekends, shipped closures, configured holidays; KIS flags win over both', () => {
    expect(schedule.dayPlan('2026-12-05')).toMatchObject({ open: false, reason: 'weekend' });
    expect(schedule.dayPlan('2026-12-25')).toMatchObject({ open: false, reason: '성탄절' });
    expect(schedule.dayPlan('2026-12-31')).toMatchObject({ open: false, reason: '연말 휴장일' });
    expect(schedule.phaseAt('NXT', at(2026, 12, 25, 10))).toBe('closed');
    const withHoliday = createSessionSchedule(file, { extraClosures: ['2026-12-08'] });
    expect(withHoliday.dayPlan('2026-12-08')).toMatchObject({ open: false, reason: 'configured holiday' });
    const kis = createSessionSchedule(file, { openDays: new Map([['2026-12-09', false], ['2026-12-25', true]]) });
    expect(kis.dayPlan('2026-12-09')).toMatchObject({ open: false, reason: 'KIS: closed' });
    expect(kis.dayPlan('2026-12-25').open).toBe(true);
  });

  it('shifts the first trading day of the year and the 수능 day', () => {
    expect(schedule.phaseAt('KRX', at(2026, 1, 2, 9, 30))).toBe('pre-open-auction');
    expect(schedule.phaseAt('KRX', at(2026, 1, 2, 10))).toBe('continuous');
    expect(schedule.phaseAt('KRX', at(2026, 1, 2, 15, 25))).toBe('closing-auction');
    expect(schedule.phaseAt('NXT', at(2026, 11, 19, 8, 30))).toBe('closed');
    expect(schedule.phaseAt('KRX', at(2026, 11, 19, 16, 25))).toBe('closing-auction');
    expect(schedule.phaseAt('NXT', at(2026, 11, 19, 16, 45))).toBe('nxt-after-market');
  });

  it('a week with a holiday: in session on four days only, never on the holiday or the weekend', () => {
    // 2026-10-05 (Mon) is 개천절's substitute holiday; 2026-10-09 (Fri) 한글날.
    const open: string[] = [];
    for (let d = 5; d <= 11; d++) if (schedule.calendar.isOpen(at(2026, 10, d, 12))) open.push(`10-${String(d).padStart(2, '0')}`);
    expect(open).toEqual(['10-06', '10-07', '10-08']);
    expect(schedule.calendar.nextOpen(at(2026, 10, 2, 21))).toBe(at(2026, 10, 6, 8));
    expect(schedule.calendar.nextClose(at(2026, 10, 6, 12))).toBe(at(2026, 10, 6, 20));
    // In session through the auctions' NXT pause (KRX still runs) and through 15:30-15:40 (NXT runs).
    expect(schedule.calendar.isOpen(at(2026, 10, 6, 8, 55))).toBe(true);
    expect(schedule.calendar.isOpen(at(2026, 10, 6, 15, 35))).toBe(true);
    expect(schedule.calendar.isOpen(at(2026, 10, 6, 7, 59, 59))).toBe(false);
  });

  it('an uncovered year is assumed open on weekdays and warns once per year', () => {
    const warned: string[] = [];
    const s = createSessionSchedule(file, { onUnknownDay: (iso) => warned.push(iso) });
    expect(s.dayPlan('2028-01-03').open).toBe(true);
    expect(s.dayPlan('2028-01-04').open).toBe(true);
    expect(warned).toEqual(['2028-01-03']);
  });

  it('refuses a malformed or inconsistent profile file with the path of the problem', () => {
    const bad = structuredClone(file) as MarketSessionsFile;
    (bad.profiles[0] as { phases: { phase: string; from: string; to: string }[] }).phases[0] = { phase: 'continuous', from: '25:00', to: '09:00' };
    expect(() => createSessionSchedule(bad)).toThrow(/profiles\.0\.phases\.0\.from/);
    const overlap = structuredClone(file) as MarketSessionsFile;
    (overlap.profiles[0] as { phases: { phase: string; from: string; to: string }[] }).phases[1] = { phase: 'continuous', from: '08:45', to: '15:20' };
    expect(() => createSessionSchedule(overlap)).toThrow(/overlaps/);
  });
});
