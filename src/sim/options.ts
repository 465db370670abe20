import type { SessionSchedule } from '../core/market-sessions.js';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { TokenRejectForm } from './token-reject.js';

/** Built-in simulator credentials: not secrets, they only open the loopback simulator. */
export const SIM_KIWOOM_APPKEY = 'SIMKIWOOMAPPKEY0000000000000000000000000';
export const SIM_KIWOOM_SECRETKEY = 'SIMKIWOOMSECRETKEY000000000000000000000000';
export const SIM_KIS_APPKEY = 'PSSIMKISAPPKEY000000000000000000000';
export const SIM_KIS_APPSECRET = 'SIMKISAPPSECRET0000000000000000000000000000000000000000000000000';
export const SIM_KIS_HTS_ID = 'simuser';

export type SimLogLevel = 'debug' | 'info' | 'warn' | 'error';
/** The simulator's logging: pino's argument order (fields, then the message) behind a level. */
export type SimLog = (level: SimLogLevel, fields: Record<string, unknown>, msg: string) => void;

/** Which 1700 shapes the rate limiter answers with, in turn. */
export type KiwoomRateLimitForm = 'http429' | 'rc5' | 'rc1700';

export interface SimKiwoomCredentials {
  readonly appkey: string;
  readonly secretkey: string;
}

export interface SimKisCredentials {
  readonly appkey: string;
  readonly appsecret: string;
}

export interface SimulatorOptions {
  /** Every sim timer (PING, ticks, token expiry, rate windows, delays) runs on this clock. */
  clock?: Clock;
  seed?: number | string;
  host?: string;
  /** 0 = ephemeral. */
  port?: number;
  /** Accepted Kiwoom key pairs (default: the SIM_KIWOOM_* pair). */
  kiwoomCredentials?: readonly SimKiwoomCredentials[];
  /** Accepted KIS key pairs (default: the SIM_KIS_* pair). */
  kisCredentials?: readonly SimKisCredentials[];
  /** Kiwoom token lifetime (KIS tokens always live 24 h). */
  tokenLifetimeMs?: number;
  /** How an expired, revoked or superseded Kiwoom token is refused (REST and LOGIN); default 'default'. */
  tokenRejectForm?: TokenRejectForm;
  /** Rows per page of list TRs. */
  pageSize?: number;
  kiwoomRatePerSecond?: number;
  kisRatePerSecond?: number;
  kiwoomRateLimitForms?: readonly KiwoomRateLimitForm[];
  pingIntervalMs?: number;
  /** How long a client may take to echo a PING before it is disconnected ([U] in the real protocol). */
  pingTimeoutMs?: number;
  /** Aggregate 0B entries per second across registered pairs. */
  tradesPerSecond?: number;
  stocks?: number;
  /** 0A events per hour across the whole market (rare on the real feed: a few an hour); only registered stocks' are sent. */
  indicativePerHour?: number;
  /** Market batch interval. */
  tickMs?: number;
  /** Most entries in one REAL frame. */
  maxEntriesPerFrame?: number;
  /** Items one WebSocket may register, per grp_no (105118) and in total (105115). Default 200. */
  wsMaxItems?: number;
  /** REG/REMOVE messages a connection may send per second (sliding window; 105110 beyond). Default 5. */
  regRatePerSecond?: number;
  /** A connection whose send buffer exceeds this drops REAL entries instead of queueing them. */
  maxBufferedBytes?: number;
  /** KIS: minimum time between two token requests of one appkey (EGW00133). */
  kisTokenMinIntervalMs?: number;
  /** KIS: a token request within this window of the last issuance returns the same token. */
  kisTokenReuseMs?: number;
  /** KIS CTCA0903R: weekdays the market is closed (ISO dates); weekends are always closed. Default none. */
  closedDays?: readonly string[];
  /**
   * The trading day to follow: no 0B or 0A for an item outside its venue's trading phases (bare codes
   * KRX, `_NX` NXT, `_AL` either). Unset (the embedded simulator's default): the market is always
   * open, so `npm start` shows signals at any hour, a Saturday night included. KRX's opening and
   * closing auctions each end in one print per subscribed stock, stamped at the auction's end.
   */
  sessions?: Pick<SessionSchedule, 'phaseAt' | 'nextChanges'>;
  log?: SimLog;
}

export interface ResolvedSimOptions {
  readonly clock: Clock;
  readonly seed: number | string;
  readonly host: string;
  readonly port: number;
  readonly kiwoomCredentials: readonly SimKiwoomCredentials[];
  readonly kisCredentials: readonly SimKisCredentials[];
  readonly tokenLifetimeMs: number;
  tokenRejectForm: TokenRejectForm;
  readonly pageSize: number;
  kiwoomRatePerSecond: number;
  kisRatePerSecond: number;
  readonly kiwoomRateLimitForms: readonly KiwoomRateLimitForm[];
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
  tradesPerSecond: number;
  readonly stocks: number;
  indicativePerHour: number;
  readonly tickMs: number;
  readonly maxEntriesPerFrame: number;
  wsMaxItems: number;
  regRatePerSecond: number;
  readonly maxBufferedBytes: number;
  readonly kisTokenMinIntervalMs: number;
  readonly kisTokenReuseMs: number;
  readonly closedDays: ReadonlySet<string>;
  /** Kiwoom appkeys refused from now on (fault `disableKiwoomKey`: a key suspended or deleted by the broker). */
  readonly disabledKiwoomKeys: Set<string>;
  readonly sessions: Pick<SessionSchedule, 'phaseAt' | 'nextChanges'> | null;
  readonly log: SimLog;
}

const noLog: SimLog = () => undefined;

export function resolveOptions(o: SimulatorOptions): ResolvedSimOptions {
  const forms = o.kiwoomRateLimitForms ?? ['http429', 'rc5'];
  return {
    clock: o.clock ?? systemClock,
    seed: o.seed ?? 20261121,
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    kiwoomCredentials: o.kiwoomCredentials ?? [{ appkey: SIM_KIWOOM_APPKEY, secretkey: SIM_KIWOOM_SECRETKEY }],
    kisCredentials: o.kisCredentials ?? [{ appkey: SIM_KIS_APPKEY, appsecret: SIM_KIS_APPSECRET }],
    tokenLifetimeMs: positive(o.tokenLifetimeMs, 24 * 3600_000),
    tokenRejectForm: o.tokenRejectForm ?? 'default',
    pageSize: Math.floor(positive(o.pageSize, 100)),
    kiwoomRatePerSecond: positive(o.kiwoomRatePerSecond, 5),
    kisRatePerSecond: positive(o.kisRatePerSecond, 20),
    kiwoomRateLimitForms: forms.length > 0 ? forms : ['http429', 'rc5'],
    pingIntervalMs: positive(o.pingIntervalMs, 10_000),
    pingTimeoutMs: positive(o.pingTimeoutMs, 30_000),
    tradesPerSecond: nonNegative(o.tradesPerSecond, 300),
    stocks: Math.max(60, Math.floor(positive(o.stocks, 2500))),
    indicativePerHour: nonNegative(o.indicativePerHour, 4),
    tickMs: Math.max(1, Math.floor(positive(o.tickMs, 50))),
    maxEntriesPerFrame: Math.max(1, Math.floor(positive(o.maxEntriesPerFrame, 40))),
    wsMaxItems: Math.floor(nonNegative(o.wsMaxItems, 200)),
    regRatePerSecond: Math.floor(nonNegative(o.regRatePerSecond, 5)),
    maxBufferedBytes: positive(o.maxBufferedBytes, 64 * 1024 * 1024),
    kisTokenMinIntervalMs: nonNegative(o.kisTokenMinIntervalMs, 60_000),
    kisTokenReuseMs: nonNegative(o.kisTokenReuseMs, 6 * 3600_000),
    closedDays: new Set(o.closedDays ?? []),
    disabledKiwoomKeys: new Set(),
    sessions: o.sessions ?? null,
    log: o.log ?? noLog,
  };
}

function positive(v: number | undefined, def: number): number {
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : def;
}

function nonNegative(v: number | undefined, def: number): number {
  return v !== undefined && Number.isFinite(v) && v >= 0 ? v : def;
}
