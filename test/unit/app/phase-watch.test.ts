import { describe, expect, it } from 'vitest';
import { createPhaseFeedCheck, watchPhases } from '../../../src/app/phase-watch.js';
import { loadMarketSessions } from '../../../src/config/market-sessions.js';
import { kstToEpoch } from '../../../src/core/kst.js';
import type { Logger } from '../../../src/core/logger.js';
import { createSessionSchedule } from '../../../src/core/market-sessions.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';

function recordingLog(clock: { now(): number }): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const at = (): string => new Date(clock.now() + 9 * 3_600_000).toISOString().slice(5, 19).replace('T', ' ');
  const log: Logger = {
    debug: () => undefined,
    info: (_f, msg) => lines.push(`${at()} ${msg}`),
    warn: (_f, msg) => lines.push(`${at()} WARN ${msg}`),
    error: (_f, msg) => lines.push(`${at()} ERROR ${msg}`),
    child: () => log,
  };
  return { log, lines };
}

describe('phase watch (the daemon through the whole trading day)', () => {
  const schedule = createSessionSchedule(loadMarketSessions());

  it('logs every phase change at its instant and, after 20:00, when the next session starts', () => {
    const clock = createVirtualClock(kstToEpoch(2026, 12, 4, 7, 0)); // a Friday
    const { log, lines } = recordingLog(clock);
    const watch = watchPhases(schedule, clock, log);
    expect(watch.current()).toEqual({ KRX: 'closed', NXT: 'closed' });
    clock.tick(9 * 3_600_000); // to 16:00
    expect(watch.current()).toEqual({ KRX: 'after-market', NXT: 'nxt-after-market' });
    clock.tick(5 * 3_600_000); // to 21:00
    watch.stop();
    expect(lines).toEqual([
      '12-04 07:00:00 phase KRX closed, NXT closed',
      '12-04 07:00:00 market closed; next session starts 2026-12-04 08:00:00 KST',
      '12-04 08:00:00 phase NXT nxt-pre-market',
      '12-04 08:30:00 phase KRX pre-open-auction',
      '12-04 08:50:00 phase NXT closed',
      '12-04 09:00:00 phase KRX continuous',
      '12-04 09:00:30 phase NXT nxt-main',
      '12-04 15:20:00 phase KRX closing-auction',
      '12-04 15:20:00 phase NXT closed',
      '12-04 15:30:00 phase KRX closed',
      '12-04 15:30:00 phase NXT nxt-after-market',
      '12-04 15:40:00 phase KRX after-hours-close-price',
      '12-04 16:00:00 phase KRX after-market',
      '12-04 20:00:00 phase KRX closed',
      '12-04 20:00:00 phase NXT closed',
      '12-04 20:00:00 market closed; next session starts 2026-12-07 08:00:00 KST',
    ]);
  });

  it('stops: no timer left behind', () => {
    const clock = createVirtualClock(kstToEpoch(2026, 12, 7, 12, 0));
    const watch = watchPhases(schedule, clock, recordingLog(clock).log);
    expect(clock.pendingTimers()).toBe(1);
    watch.stop();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('checks 0s frames against the profile: FID 215 decoded where known, raw where not, disagreements logged and counted', () => {
    const clock = createVirtualClock(kstToEpoch(2026, 12, 7, 8, 0));
    const { log, lines } = recordingLog(clock);
    const check = createPhaseFeedCheck(schedule, log);
    const frame = (h: number, m: number, s: number, code: string) => {
      const ts = kstToEpoch(2026, 12, 7, h, m, s);
      check.onEvent({ kind: 'raw', type: '0s', symbol: '', values: { '215': code, '20': '000000', '214': '000050' }, tsEvent: ts, tsRecv: ts });
    };
    frame(8, 59, 10, '0'); // the real sample: 장시작전 50 s before the open
    frame(9, 0, 2, '3'); // 장시작, 2 s late: agrees
    frame(15, 31, 0, '4'); // 장종료
    frame(10, 0, 0, '4'); // 장종료 at 10:00: disagrees
    frame(10, 0, 0, '7'); // unknown: raw
    frame(10, 1, 0, '7'); // unknown again: counted, logged once
    check.onEvent({ kind: 'raw', type: '0D', symbol: '005930', values: {}, tsEvent: 0, tsRecv: 0 }); // not 0s
    expect(check.stats()).toEqual({ frames: 6, disagreements: 1, unknown: 2 });
    // (The log stamps the clock's time, left at 08:00; the check reads each frame's tsRecv.)
    expect(lines).toEqual(["12-07 08:00:00 WARN 0s says 장종료 (4) but the profile says KRX continuous", "12-07 08:00:00 0s: FID 215 '7' is not a known code (kept raw)"]);
  });

  it('reads FID 215 with the configured table (calendar.fid215) instead of the legacy one', () => {
    const { log } = recordingLog({ now: () => 0 });
    const check = createPhaseFeedCheck(schedule, log, { '21': { meaning: '정규장', phases: ['continuous'] } });
    const at = kstToEpoch(2026, 12, 7, 10, 0);
    const frame = (code: string) => check.onEvent({ kind: 'raw', type: '0s', symbol: '', values: { '215': code }, tsEvent: at, tsRecv: at });
    frame('21'); // agrees
    frame('3'); // a legacy code the configured table does not list: unknown
    check.onEvent({ kind: 'raw', type: '0s', symbol: '', values: { '215': '21' }, tsEvent: at + 7 * 3_600_000, tsRecv: at + 7 * 3_600_000 }); // 17:00: disagrees
    frame('toString'); // not an own key of the table: unknown, never a prototype property
    expect(check.stats()).toEqual({ frames: 4, disagreements: 1, unknown: 2 });
  });
});
