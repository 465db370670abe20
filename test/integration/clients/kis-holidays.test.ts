import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHolidayCache, createKisHolidays } from '../../../src/adapters/kis/holidays.js';
import { loadMarketSessions } from '../../../src/config/market-sessions.js';
import { kstToEpoch } from '../../../src/core/kst.js';
import { createSessionSchedule } from '../../../src/core/market-sessions.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { SIM_KIS_APPKEY, SIM_KIS_APPSECRET } from '../../../src/sim/options.js';
import { drive, kisStack, memoryLog, startSim } from './support.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function setup(closedDays: readonly string[]) {
  const { sim, clock } = await startSim({ closedDays }, createVirtualClock(kstToEpoch(2026, 12, 21, 7, 0)));
  closers.push(() => sim.close());
  const stack = kisStack(sim, clock);
  closers.push(() => stack.close());
  const client = createKisHolidays({ baseUrl: sim.url, clock, appkey: SIM_KIS_APPKEY, appsecret: SIM_KIS_APPSECRET, tokens: stack.tokens });
  closers.push(() => client.close());
  return { clock, client };
}

describe('KIS 국내휴장일조회 (CTCA0903R) against the simulator', () => {
  it('reads opnd_yn per date (not tr_day_yn: Saturdays are closed), at most one call a KST day, cached on disk', async () => {
    // 2026-12-22 stands for an ad-hoc closure the shipped list does not know.
    const { clock, client } = await setup(['2026-12-22', '2026-12-25']);
    const dir = mkdtempSync(join(tmpdir(), 'krx-holidays-'));
    const log = memoryLog();
    let fetches = 0;
    const cache = createHolidayCache({ dir, clock, log, fetch: (from) => (fetches++, client.openDays(from)) });

    const days = await drive(clock, cache.openDays());
    const start = clock.now();
    expect(days.get('2026-12-22')).toBe(false);
    expect(days.get('2026-12-23')).toBe(true);
    expect(days.get('2026-12-25')).toBe(false);
    expect(days.get('2026-12-26')).toBe(false); // Saturday: tr_day_yn Y, opnd_yn N

    // Same KST day: the cache answers, even from a new process (a new cache object).
    const again = createHolidayCache({ dir, clock, log, fetch: (from) => (fetches++, client.openDays(from)) });
    expect((await again.openDays()).get('2026-12-22')).toBe(false);
    expect(fetches).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, 'kis-holidays.json'), 'utf8')).fetchedOn).toBe('2026-12-21');

    // The next KST day: one more call.
    await clock.tickAsync(kstToEpoch(2026, 12, 22, 0, 0, 1) - start);
    await drive(clock, again.openDays());
    expect(fetches).toBe(2);

    // Fed to the schedule, KIS's word wins over the shipped list.
    const schedule = createSessionSchedule(loadMarketSessions(), { openDays: days });
    expect(schedule.dayPlan('2026-12-22')).toMatchObject({ open: false, reason: 'KIS: closed' });
    expect(schedule.dayPlan('2026-12-23').open).toBe(true);
  }, 60_000);

  it('a failed call or a corrupt cache falls back to what is cached, with a warning, never a throw', async () => {
    const { clock } = await startSim();
    const dir = mkdtempSync(join(tmpdir(), 'krx-holidays-'));
    writeFileSync(join(dir, 'kis-holidays.json'), '{"version":1,"fetchedOn":"garbage"');
    const log = memoryLog();
    const cache = createHolidayCache({ dir, clock, log, fetch: () => Promise.reject(new Error('kis down')) });
    expect((await cache.openDays()).size).toBe(0);
    expect(log.lines.map((l) => l.msg)).toEqual(['the KIS holiday cache is unreadable: ignored', 'KIS holiday query failed: the cached and shipped calendars decide']);
  });

  it('the simulator refuses a bad BASS_DT in the KIS error shape', async () => {
    const { client, clock } = await setup([]);
    await expect(drive(clock, client.openDays('2026-13-45'))).rejects.toMatchObject({ code: expect.stringMatching(/^E_/) });
  });
});
