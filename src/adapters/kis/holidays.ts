import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { DecodeError, errorMessage, isKrxError } from '../../core/errors.js';
import { DAY_MS, kstIsoDate } from '../../core/kst.js';
import type { TokenSource } from '../../core/ports/token-source.js';
import { createBrokerCall, retryPolicy } from '../../net/broker-call.js';
import { clientNet, type RetryingClientOptions } from '../../net/client-options.js';
import { jsonObjectOf } from '../../net/json-object.js';
import { kisProtocol } from './errors.js';
import { defaultKisRate, KIS_MIN_ISSUE_INTERVAL_MS } from './limits.js';
import type { KisOutcome } from './outcome.js';
import type { KisTransport } from './transport.js';

/**
 * KIS 국내휴장일조회 (protocol.md 11.4): tr_id CTCA0903R, GET with BASS_DT (YYYYMMDD); one row per
 * date from BASS_DT on. `opnd_yn` is the open flag (`tr_day_yn` is Y on Saturdays). KIS asks for at
 * most one call a day: `createHolidayCache` keeps the answer in the data directory.
 */
export const KIS_HOLIDAY = { path: '/uapi/domestic-stock/v1/quotations/chk-holiday', trId: 'CTCA0903R' } as const;

/** Rows per answer beyond which it is refused whole (E_TOO_MANY_ROWS): the real one holds a few weeks. */
const MAX_ROWS = 400;
/** Days kept in the cache (dates older than this are dropped at each write). */
const KEEP_DAYS = 90;

export interface KisHolidayOptions extends RetryingClientOptions<KisOutcome, KisTransport> {
  appkey: string;
  appsecret: string;
  custtype?: 'P' | 'B';
  tokens: TokenSource;
}

const yn = z.enum(['Y', 'N']);
const row = z.object({ bass_dt: z.string().regex(/^\d{8}$/, 'expected YYYYMMDD'), opnd_yn: yn });
const body = z.object({ output: z.array(row) });

export interface KisHolidays {
  /** Open flags by ISO date (YYYY-MM-DD) from `fromIso` on, as KIS answers them. */
  openDays(fromIso: string): Promise<Map<string, boolean>>;
  close(): Promise<void>;
}

/** The KIS holiday client (real host only; the simulator answers it too). */
export function createKisHolidays(options: KisHolidayOptions): KisHolidays {
  const net = clientNet(options, defaultKisRate(options.baseUrl));
  const { transport } = net;
  const call = createBrokerCall(kisProtocol(KIS_MIN_ISSUE_INTERVAL_MS), net, retryPolicy(options.tokens, options, 2));
  return {
    async openDays(fromIso) {
      const query = { BASS_DT: fromIso.replaceAll('-', ''), CTX_AREA_NK: '', CTX_AREA_FK: '' };
      const answer = await call(KIS_HOLIDAY.trId, (token) =>
        transport.get(KIS_HOLIDAY.path, query, {
          'content-type': 'application/json; charset=utf-8',
          authorization: `Bearer ${token}`,
          appkey: options.appkey,
          appsecret: options.appsecret,
          tr_id: KIS_HOLIDAY.trId,
          custtype: options.custtype ?? 'P',
        }),
      );
      const json = jsonObjectOf(answer, `kis ${KIS_HOLIDAY.trId}`, { trId: KIS_HOLIDAY.trId });
      const rows = json['output'];
      if (Array.isArray(rows) && rows.length > MAX_ROWS) {
        throw new DecodeError('E_TOO_MANY_ROWS', `kis ${KIS_HOLIDAY.trId}: ${rows.length} rows, over the cap of ${MAX_ROWS}`, { details: { trId: KIS_HOLIDAY.trId, rows: rows.length } });
      }
      const parsed = body.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const path = issue ? issue.path.map(String).join('.') : '';
        throw new DecodeError('E_DECODE_SHAPE', `kis ${KIS_HOLIDAY.trId}: ${path || '(root)'}: ${issue?.message ?? 'invalid'}`, { details: { trId: KIS_HOLIDAY.trId, path } });
      }
      const days = new Map<string, boolean>();
      for (const r of parsed.data.output) days.set(`${r.bass_dt.slice(0, 4)}-${r.bass_dt.slice(4, 6)}-${r.bass_dt.slice(6, 8)}`, r.opnd_yn === 'Y');
      return days;
    },
    close: () => transport.close(),
  };
}

const cacheFile = z.strictObject({
  version: z.literal(1),
  /** The KST date of the last successful call. */
  fetchedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  days: z.record(z.string().regex(/^\d{4}-\d{2}-\d{2}$/), z.boolean()),
});

export interface HolidayCacheOptions {
  /** The data directory; the cache is `<dir>/kis-holidays.json`. */
  readonly dir: string;
  readonly clock: Clock;
  /** The KIS call (`createKisHolidays(...).openDays`). */
  readonly fetch: (fromIso: string) => Promise<Map<string, boolean>>;
  readonly log: { warn(fields: Record<string, unknown>, msg: string): void; info(fields: Record<string, unknown>, msg: string): void };
}

export interface HolidayCache {
  /**
   * The open flags known today: the cache when it was filled today (KST), else one KIS call merged
   * into it and written back. A failed call or an unreadable cache falls back to what is cached
   * (possibly nothing): the shipped list then decides.
   */
  openDays(): Promise<ReadonlyMap<string, boolean>>;
  /** KIS calls made by this process. */
  calls(): number;
}

/** At most one CTCA0903R call a KST day, cached in the data directory (90 days kept). */
export function createHolidayCache(options: HolidayCacheOptions): HolidayCache {
  const file = join(options.dir, 'kis-holidays.json');
  let calls = 0;

  const read = (): z.infer<typeof cacheFile> | null => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return null; // no cache yet
    }
    try {
      const parsed = cacheFile.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // fall through: not JSON
    }
    options.log.warn({ code: 'E_DECODE_SHAPE', file }, 'the KIS holiday cache is unreadable: ignored');
    return null;
  };

  return {
    async openDays() {
      const today = kstIsoDate(options.clock.now());
      const cached = read();
      if (cached !== null && cached.fetchedOn === today) return new Map(Object.entries(cached.days));
      let fresh: Map<string, boolean>;
      try {
        calls++;
        fresh = await options.fetch(today);
      } catch (err) {
        options.log.warn({ code: isKrxError(err) ? err.code : 'E_NETWORK', err: errorMessage(err) }, 'KIS holiday query failed: the cached and shipped calendars decide');
        return new Map(Object.entries(cached?.days ?? {}));
      }
      const oldest = kstIsoDate(options.clock.now() - KEEP_DAYS * DAY_MS);
      const days: Record<string, boolean> = {};
      for (const [d, open] of [...Object.entries(cached?.days ?? {}), ...fresh]) if (d >= oldest) days[d] = open;
      try {
        mkdirSync(options.dir, { recursive: true });
        writeFileSync(`${file}.tmp`, JSON.stringify({ version: 1, fetchedOn: today, days }));
        renameSync(`${file}.tmp`, file);
      } catch (err) {
        options.log.warn({ code: 'E_STORE_WRITE', err: errorMessage(err), file }, 'cannot write the KIS holiday cache');
      }
      options.log.info({ event: 'calendar.kis', days: fresh.size, closed: [...fresh].filter(([, o]) => !o).map(([d]) => d) }, `KIS holiday calendar: ${fresh.size} days from ${today}`);
      return new Map(Object.entries(days));
    },
    calls: () => calls,
  };
}
