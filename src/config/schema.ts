import { z } from 'zod';
import { TRADING_PHASES } from '../core/market-sessions.js';
import { busSchema } from './bus-schema.js';
import { notifySchema, type NotifySinkSecrets } from './notify-schema.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a KST time HH:MM');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD');
const ms = (def: number) => z.number().int().min(0).default(def);
const positive = (def: number) => z.number().positive().default(def);
/** A `kiwoom.keys` name: its credentials are KIWOOM_APPKEY_<NAME> / KIWOOM_SECRETKEY_<NAME> (upper case). */
export const KIWOOM_KEY_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
const realtimeType = z.string().regex(/^[0-9][0-9A-Za-z]$/, 'expected a real-time type such as "0B"');

/** Everything a config file may hold. Secrets are not here: they come from the environment only. */
export const fileConfigSchema = z.strictObject({
  /** auto: live when Kiwoom credentials are in the environment, else the embedded simulator. */
  mode: z.enum(['auto', 'sim', 'live']).default('auto'),
  /** Runtime files (DB, recordings, token cache); relative paths resolve from the working directory. */
  dataDir: z.string().min(1).default('./data'),
  /** The user's strategy files (.ts, .mts, .js, .mjs), loaded at start without a build; relative to dataDir (default `strategies`). */
  strategiesDir: z.string().min(1).optional(),
  /** Reload the strategies when a file of the strategies folder or the config file changes (as SIGHUP does). */
  strategiesWatch: z.boolean().default(false),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      pretty: z.boolean().default(false),
    })
    .prefault({}),
  /** The embedded simulator (mode sim). */
  sim: z
    .strictObject({
      seed: z.union([z.number().int(), z.string().min(1)]).default(20261121),
      port: z.number().int().min(0).max(65535).default(0),
      tradesPerSecond: positive(300),
      stocks: z.number().int().min(60).max(5000).default(2500),
      /** The embedded simulator's REG limits, as the real server's: items per group and connection, REG/REMOVE per second. */
      wsMaxItems: z.number().int().min(0).default(200),
      regRatePerSecond: z.number().int().min(0).default(5),
    })
    .prefault({}),
  kiwoom: z
    .strictObject({
      restUrl: z.url().default('https://api.kiwoom.com'),
      wsUrl: z.url().default('wss://api.kiwoom.com:10000/api/dostk/websocket'),
      requestsPerSecond: positive(5),
      requestTimeoutMs: ms(10_000),
      maxPages: z.number().int().min(1).max(1000).default(10),
      /** Broker answers longer than this are refused unread (E_BODY_TOO_LARGE). */
      maxBodyBytes: z.number().int().min(1024).default(8 * 1024 * 1024),
      /** Rows per TR call, all pages together (E_TOO_MANY_ROWS beyond); `maxRowsByTr` per api-id. */
      maxRows: z.number().int().min(1).default(20_000),
      maxRowsByTr: z.record(z.string().regex(/^ka\d{5}$/, 'expected an api-id such as "ka90003"'), z.number().int().min(1)).default({}),
      /**
       * App keys by name (README "Several app keys"): each its own token, WebSocket (connection.maxItems
       * items) and REST budget; credentials from KIWOOM_APPKEY_<NAME>/KIWOOM_SECRETKEY_<NAME>, the name
       * `default` being the unnamed KIWOOM_APPKEY/KIWOOM_SECRETKEY pair. Empty: the unnamed pair alone.
       */
      keys: z
        .array(z.string().regex(KIWOOM_KEY_NAME, 'expected a key name of letters, digits and _ (such as "a" or "desk_2")'))
        .max(20)
        .default([])
        .refine((names) => new Set(names.map((n) => n.toUpperCase())).size === names.length, 'key names must be unique (case-insensitive)'),
      /** A key whose socket is not live for this long (giving up) hands its symbols to the other keys. */
      keyFailoverMs: ms(30_000),
    })
    .prefault({}),
  kis: z
    .strictObject({
      enabled: z.boolean().default(true),
      restUrl: z.url().default('https://openapi.koreainvestment.com:9443'),
      requestsPerSecond: positive(20),
      requestTimeoutMs: ms(10_000),
      custtype: z.enum(['P', 'B']).default('P'),
      maxBodyBytes: z.number().int().min(1024).default(8 * 1024 * 1024),
      /** Rows per watchlist answer (groups, or stocks in a group). */
      maxRows: z.number().int().min(1).default(2000),
      /** Watchlist group codes to follow; empty = every group. */
      groups: z.array(z.string().regex(/^\d{1,3}$/, 'expected a group code such as "001"')).default([]),
    })
    .prefault({}),
  tokens: z
    .strictObject({
      refreshMarginSeconds: z.number().int().min(0).default(600),
      revokeOnShutdown: z.boolean().default(false),
      cache: z.boolean().default(true),
      /** An issuance that does not answer in this time counts as failed (and is retried). */
      issueTimeoutMs: ms(30_000),
      /** Bad credentials (Kiwoom 8001/8002, KIS EGW00103): retry on a long doubling backoff from base to cap. */
      credentialsRetryBaseMs: ms(60_000),
      credentialsRetryCapMs: ms(900_000),
      /** Still rejected after this long: exit with code 77 so the supervisor (or an operator) takes over. 0 = never. */
      credentialsExitAfterMs: ms(3_600_000),
    })
    .prefault({}),
  connection: z
    .strictObject({
      backoffBaseMs: ms(500),
      backoffCapMs: ms(30_000),
      stableResetMs: ms(60_000),
      maxAttemptsPerMinute: z.number().int().min(1).default(6),
      loginTimeoutMs: ms(10_000),
      regAckTimeoutMs: ms(10_000),
      watchdogMs: ms(30_000),
      duplicateLoginBackoffMs: ms(60_000),
      regChunkSize: z.number().int().min(1).max(1000).default(100),
      /** Longest wait for a token before the attempt backs off. */
      tokenTimeoutMs: ms(60_000),
      /** After rejected credentials, ask the token source again this often. */
      credentialsRetryMs: ms(60_000),
      /** Items one socket may hold (Kiwoom: 200 per connection, 105115/105118); headroom kept below it. Above 200 only against a simulator with sim.wsMaxItems raised (benches). */
      maxItems: z.number().int().min(1).max(100_000).default(190),
      /** Least time between two REG/REMOVE messages (Kiwoom rate-limits them: 105110). */
      regIntervalMs: ms(400),
      /** A rejected REG is retried after base, 2 base ... up to cap (where its code allows). */
      regRetryBaseMs: ms(2_000),
      regRetryCapMs: ms(120_000),
      /** An acknowledged symbol with no entry for this long during the session is reported. 0 = off. */
      silentSymbolMs: ms(600_000),
      groupNo: z.string().regex(/^\d{1,4}$/, 'expected a group number of up to 4 digits').default('1'),
      /**
       * Market-wide types registered once with item [""] instead of per symbol, as the official examples
       * do for 0s and 1h (protocol.md 10.4): 0s when the calendar is `sessions`, 1h when a strategy needs VI.
       */
      itemlessTypes: z.array(realtimeType).default(['0s', '1h']),
      /** Whether the item-less registration counts as one item of `maxItems` (the unit the broker counts is [U], protocol.md 10.7). */
      itemlessCountsAsItem: z.boolean().default(true),
    })
    .prefault({}),
  universe: z
    .strictObject({
      realtimeTypes: z.array(realtimeType).min(1).default(['0B', '0A']),
      programTopMarkets: z.array(z.enum(['P00101', 'P10102'])).default(['P00101', 'P10102']),
      programTopPollSeconds: positive(30),
      /** Ranking rows that become universe symbols: the real ka90003 answers 150 rows for its "top 50". */
      programTopN: z.number().int().min(1).max(1000).default(50),
      watchlistPollSeconds: positive(300),
      /** Symbols always in the universe. */
      extraSymbols: z.array(z.string().regex(/^\d{6}$/, 'expected a 6-digit stock code')).default([]),
      /**
       * The venue each stock is subscribed on (src/core/venue-choice.ts): KRX (bare code), NXT (`_NX`),
       * SOR (`_AL`, both venues' prints), or auto: SOR where the stock master says nxtEnable, else KRX.
       */
      venue: z.enum(['auto', 'KRX', 'NXT', 'SOR']).default('auto'),
      /** The venue (`stex_tp`) of the market-wide polls (ka90003/ka90004); default: `venue`, KRX under auto. */
      pollVenue: z.enum(['KRX', 'NXT', 'SOR']).optional(),
      /** Ranked and watched stocks left out by their ka10099 orderWarning: 2 정리매매 and 4 투자위험 unless told. */
      exclude: z
        .strictObject({ orderWarning: z.array(z.enum(['0', '1', '2', '3', '4', '5'])).max(6).default(['2', '4']) })
        .prefault({}),
      /** The ka10099 stock master: loaded at start and once a KST day after `refreshAt`; no markets = off. */
      stockMaster: z
        .strictObject({
          markets: z.array(z.enum(['0', '10', '30', '50', '60', '70', '80', '90', '2', '3', '4', '5', '6', '7', '8', '9'])).max(16).default(['0', '10']),
          refreshAt: hhmm.default('07:00'),
        })
        .prefault({}),
      /** ka10001 주식기본정보 once per symbol (and KST day) when it enters the universe (`ctx.snapshot(s).info`). */
      basicInfo: z.boolean().default(true),
      /** Default periods of the per-symbol investor polls a strategy needs without a schedule of its own. */
      investorFlowPollSeconds: positive(300),
      /** ka10061 totals span this many calendar days up to today. */
      investorTotalsDays: z.number().int().min(1).max(366).default(20),
    })
    .prefault({}),
  calendar: z
    .strictObject({
      /**
       * auto: always open on the simulator, the 2026 trading day live (`sessions`: KRX and NXT phases
       * 08:00-20:00 from config/market-sessions.json). `krx`: the regular session only, `open`-`close`.
       */
      kind: z.enum(['auto', 'sessions', 'krx', 'always-open']).default('auto'),
      /**
       * The session profiles that exist for this run (ids in config/market-sessions.json). Unset: all
       * of them. The daemon records the list; a replay keeps its recording's phases after new profiles ship.
       */
      profiles: z.array(z.string().regex(/^[a-z0-9-]{1,40}$/)).max(200).optional(),
      open: hhmm.default('09:00'),
      close: hhmm.default('15:30'),
      holidays: z.array(isoDate).default([]),
      /**
       * FID 215 장운영구분 codes of the 0s 장시작시간 feed and the KRX phases each agrees with. The REST
       * table is undocumented (protocol.md 12.6): unset, the legacy OpenAPI+ table is used; set it once the
       * live codes are known (the `phase.feed.unknown` log lines show the raw ones).
       */
      fid215: z
        .record(z.string().regex(/^[0-9A-Za-z]{1,8}$/, 'expected a code such as "3"'), z.strictObject({ meaning: z.string().max(40), phases: z.array(z.enum([...TRADING_PHASES, 'closed'])).min(1) }))
        .optional(),
    })
    .prefault({}),
  strategies: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        enabled: z.boolean().default(true),
        params: z.record(z.string(), z.unknown()).default({}),
      }),
    )
    .default([]),
  store: z
    .strictObject({
      file: z.string().min(1).default('signals.db'),
      queueLimit: z.number().int().min(1).default(100_000),
    })
    .prefault({}),
  recording: z
    .strictObject({
      enabled: z.boolean().default(true),
      dir: z.string().min(1).default('recordings'),
      /** All recordings together (compressed bytes); the oldest are deleted first. */
      maxBytes: z.number().int().min(1_048_576).default(64 * 1024 ** 3),
      /** One session's recording; beyond it the session is no longer recorded (logged). */
      maxSessionBytes: z.number().int().min(1_048_576).default(16 * 1024 ** 3),
      /** Recordings that started longer ago are deleted. */
      keepDays: z.number().int().min(1).max(3650).default(30),
    })
    .prefault({}),
  alarms: z
    .strictObject({
      /** Warn when no real-time frame arrived for this long during the session while subscribed. */
      dataSilenceSeconds: z.number().positive().default(60),
    })
    .prefault({}),
  /** Notification sinks (Telegram, Discord, Slack, webhook): src/config/notify-schema.ts. */
  notify: notifySchema,
  /** Redis Streams for signals and market events: src/config/bus-schema.ts. */
  bus: busSchema,
  http: z
    .strictObject({
      enabled: z.boolean().default(true),
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(9464),
    })
    .prefault({}),
});

export type FileConfig = z.output<typeof fileConfigSchema>;

export interface KiwoomCredentials {
  readonly appkey: string;
  readonly secretkey: string;
}

export interface KisCredentials {
  readonly appkey: string;
  readonly appsecret: string;
  readonly htsId: string;
}

export interface Credentials {
  /** The unnamed pair (KIWOOM_APPKEY/KIWOOM_SECRETKEY): the key `default`. */
  readonly kiwoom: KiwoomCredentials | null;
  /** The named keys of `kiwoom.keys` found in the environment (KIWOOM_APPKEY_<NAME>), by name as configured. */
  readonly kiwoomKeys?: Readonly<Record<string, KiwoomCredentials>>;
  readonly kis: KisCredentials | null;
  /** Per notification sink name; absent when no sink is configured. */
  readonly notify?: Readonly<Record<string, NotifySinkSecrets>>;
}

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The effective, frozen configuration: file settings plus environment, with `mode` resolved. */
export type Config = DeepReadonly<Omit<FileConfig, 'mode'>> & {
  readonly mode: 'sim' | 'live';
  readonly credentials: Credentials;
  /** Where the file settings came from (for the startup log). */
  readonly source: string;
};
