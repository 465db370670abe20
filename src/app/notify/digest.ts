import type Database from 'better-sqlite3';
import type { DigestBody } from '../../adapters/notify/index.js';
import type { MarketCalendar } from '../../core/calendar.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import { kstIsoDate, kstToEpoch } from '../../core/kst.js';

export interface DigestOptions {
  readonly clock: Clock;
  readonly calendar: MarketCalendar;
  readonly database: Database.Database;
  readonly startedAt: number;
  /** Alerts raised since an instant. */
  readonly faultsSince: (since: number) => number;
  readonly send: (id: string, body: DigestBody) => void;
  readonly everyMs?: number;
  readonly log: { warn(fields: Record<string, unknown>, msg: string): void };
}

/**
 * The daily digest, once the day's last session phase is over (KRX calendar: the close; an
 * always-open calendar: KST midnight). Its id is the date, so a restart never sends a day twice.
 */
export function startDailyDigest(o: DigestOptions): { check(): void; stop(): void } {
  const { clock, calendar } = o;
  const byStrategy = o.database.prepare('SELECT strategy, count(*) AS n FROM signals WHERE ts_event >= ? AND ts_event < ? GROUP BY strategy ORDER BY strategy');
  const topSymbols = o.database.prepare('SELECT symbol, count(*) AS n FROM signals WHERE ts_event >= ? AND ts_event < ? GROUP BY symbol ORDER BY n DESC, symbol LIMIT 5');
  let wasOpen = calendar.isOpen(clock.now());
  let lastDate = kstIsoDate(clock.now());
  let timer: TimerHandle | undefined;

  const digest = (date: string): void => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    const from = kstToEpoch(y, m, d);
    const to = from + 86_400_000;
    const strategies = byStrategy.all(from, to) as { strategy: string; n: number }[];
    const body: DigestBody = {
      date,
      signals: strategies.reduce((n, r) => n + r.n, 0),
      byStrategy: Object.fromEntries(strategies.map((r) => [r.strategy, r.n])),
      topSymbols: (topSymbols.all(from, to) as { symbol: string; n: number }[]).map((r) => [r.symbol, r.n] as const),
      faults: o.faultsSince(from),
      uptimeMs: clock.now() - o.startedAt,
    };
    o.send(`digest:${date}`, body);
  };

  const check = (): void => {
    const now = clock.now();
    const today = kstIsoDate(now);
    try {
      if (calendar.kind === 'always-open') {
        if (today !== lastDate) digest(lastDate);
      } else {
        const open = calendar.isOpen(now);
        // The session just ended and the next one is another day: the day's last phase is over.
        if (wasOpen && !open && kstIsoDate(calendar.nextOpen(now)) !== today) digest(today);
        wasOpen = open;
      }
    } catch (err) {
      o.log.warn({ code: 'E_NOTIFY_INTERNAL', err: errorMessage(err) }, 'daily digest failed');
    }
    lastDate = today;
  };
  const loop = (): void => {
    timer = clock.setTimeout(() => {
      check();
      loop();
    }, o.everyMs ?? 60_000);
  };
  loop();
  return {
    check,
    stop: () => {
      if (timer !== undefined) clock.clearTimeout(timer);
    },
  };
}
