import { join } from 'node:path';
import { createHolidayCache, createKisHolidays } from '../adapters/kis/holidays.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { SessionSchedule } from '../core/market-sessions.js';
import type { RateLimiter } from '../core/rate-limiter.js';
import type { TokenSource } from '../core/ports/token-source.js';

/** Re-checked this often; the cache makes it at most one KIS call a KST day. */
const RECHECK_MS = 6 * 3600_000;

export interface KisCalendarOptions {
  readonly schedule: SessionSchedule;
  readonly dataDir: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly kis: { readonly restUrl: string; readonly appkey: string; readonly appsecret: string };
  readonly tokens: TokenSource;
  readonly limiter?: RateLimiter | null;
}

/**
 * The authoritative calendar (issue 14 item 2): KIS 국내휴장일조회 at start and then at most once a
 * KST day, cached in the data directory, fed to the schedule. It never blocks the start: until KIS
 * answers (or when it fails) the shipped list and config holidays decide.
 */
export function startKisCalendar(o: KisCalendarOptions): { stop(): Promise<void> } {
  const client = createKisHolidays({ baseUrl: o.kis.restUrl, clock: o.clock, appkey: o.kis.appkey, appsecret: o.kis.appsecret, tokens: o.tokens, ...(o.limiter ? { limiter: o.limiter } : {}) });
  const cache = createHolidayCache({ dir: join(o.dataDir, 'calendar'), clock: o.clock, fetch: (from) => client.openDays(from), log: o.log });
  let timer: TimerHandle | undefined;
  const refresh = (): void => {
    cache.openDays().then(
      (days) => {
        if (days.size > 0) o.schedule.setOpenDays(days);
      },
      (err: unknown) => o.log.warn({ code: 'E_NETWORK', err: String(err) }, 'KIS holiday calendar failed'),
    );
  };
  refresh();
  timer = o.clock.setInterval(refresh, RECHECK_MS);
  return {
    stop: async () => {
      if (timer !== undefined) o.clock.clearInterval(timer);
      timer = undefined;
      await client.close();
    },
  };
}
