// The one place that builds broker clients: token issuers, token sources, HTTP transports and REST
// clients, for live, the simulator, replay and the test harnesses alike. Only the transports (and
// where tokens come from) differ between them.
import { createKisTokenIssuer } from '../adapters/kis/auth.js';
import { defaultKisRate, KIS_MIN_ISSUE_INTERVAL_MS } from '../adapters/kis/limits.js';
import { createKisTransport, type KisTransport } from '../adapters/kis/transport.js';
import { createKisWatchlist, type KisWatchlist, type KisWatchlistOptions } from '../adapters/kis/watchlist.js';
import { createKiwoomApi, type KiwoomApi } from '../adapters/kiwoom/api.js';
import { createKiwoomTokenIssuer } from '../adapters/kiwoom/auth.js';
import { createKiwoomRest, type KiwoomRest, type KiwoomRestOptions } from '../adapters/kiwoom/rest-client.js';
import { createHttpTransport, type HttpTransport } from '../adapters/kiwoom/transport.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { TokenCache } from '../core/ports/token-cache.js';
import type { TokenIssuer } from '../core/ports/token-issuer.js';
import type { TokenSource } from '../core/ports/token-source.js';
import type { FrameRecorder } from '../core/recording.js';
import type { Random } from '../core/random.js';
import { createRateLimiter, type RateLimiter } from '../core/rate-limiter.js';
import { SIM_KIS_APPKEY, SIM_KIS_APPSECRET, SIM_KIS_HTS_ID } from '../sim/index.js';
import { countRateLimits, type RateLimitCounts } from './counting-transports.js';
import { recordingKisTransport, recordingKiwoomTransport } from './recording-transports.js';
import type { KernelSettings } from './settings.js';
import { resolveKiwoomKeys, type KiwoomKey } from './kiwoom-keys.js';
import { spreadKiwoomRest } from './spread-rest.js';
import { createManagedTokenSource, type ManagedTokenSource, type ManagedTokenSourceOptions } from './token-source.js';

/** Where the brokers are and who we are to them. */
export interface BrokerEndpoints {
  /** The first app key of `kiwoom.keys` (the unnamed pair when none are listed). */
  readonly kiwoom: { readonly restUrl: string; readonly wsUrl: string; readonly appkey: string; readonly secretkey: string };
  /** Every app key (`kiwoom.keys`), the first being `kiwoom`'s; absent: `kiwoom` alone (tests). */
  readonly kiwoomKeys?: readonly KiwoomKey[];
  /** Null when KIS is disabled or has no credentials. */
  readonly kis: { readonly restUrl: string; readonly appkey: string; readonly appsecret: string; readonly htsId: string } | null;
}

/** The simulator's URLs and fixed credentials, or the live hosts' with the credentials from the environment. */
export function endpointsFor(config: Config, sim: { readonly url: string; readonly wsUrl: string } | null): BrokerEndpoints {
  if (sim) {
    const keys = resolveKiwoomKeys(config, true);
    const first = keys[0] as KiwoomKey;
    return {
      kiwoom: { restUrl: sim.url, wsUrl: sim.wsUrl, appkey: first.appkey, secretkey: first.secretkey },
      kiwoomKeys: keys,
      kis: config.kis.enabled ? { restUrl: sim.url, appkey: SIM_KIS_APPKEY, appsecret: SIM_KIS_APPSECRET, htsId: SIM_KIS_HTS_ID } : null,
    };
  }
  const keys = resolveKiwoomKeys(config, false);
  const kiwoom = keys[0] as KiwoomKey;
  const kis = config.credentials.kis;
  return {
    kiwoom: { restUrl: config.kiwoom.restUrl, wsUrl: config.kiwoom.wsUrl, appkey: kiwoom.appkey, secretkey: kiwoom.secretkey },
    kiwoomKeys: keys,
    kis: config.kis.enabled && kis ? { restUrl: config.kis.restUrl, appkey: kis.appkey, appsecret: kis.appsecret, htsId: kis.htsId } : null,
  };
}

type ClosableIssuer = TokenIssuer & { close(): Promise<void> };

/** One rate limiter per host + app key, shared by that key's token issuer and REST client. */
export interface BrokerLimiters {
  readonly kiwoom: RateLimiter;
  readonly kis: RateLimiter | null;
}

export function createBrokerLimiters(s: KernelSettings, e: BrokerEndpoints, clock: Clock): BrokerLimiters {
  return {
    // Spread evenly (one grant per 1/rate s + margin): with the budget saturated by polls, bursts of
    // five squeezed by network jitter would meet the broker's 1700 (polls queue, never burst).
    kiwoom: createRateLimiter({ clock, ratePerSecond: s.kiwoom.requestsPerSecond, marginMs: 50, minGapMs: (1000 + 50) / Math.max(1, Math.floor(s.kiwoom.requestsPerSecond)) }),
    // The mock host allows 2 requests/s; the configured rate never exceeds what the host allows.
    kis: e.kis ? createRateLimiter({ clock, ratePerSecond: Math.min(s.kis.requestsPerSecond, defaultKisRate(e.kis.restUrl)), marginMs: 50 }) : null,
  };
}

/** One Kiwoom app key's limiter (shared by its issuer and its REST calls) and au10001 issuer. */
export function createKiwoomKeyIssuer(s: KernelSettings, restUrl: string, key: KiwoomKey, clock: Clock, limiter: RateLimiter = createRateLimiter({ clock, ratePerSecond: s.kiwoom.requestsPerSecond, marginMs: 50 })): { readonly limiter: RateLimiter; readonly issuer: ClosableIssuer } {
  return { limiter, issuer: createKiwoomTokenIssuer({ baseUrl: restUrl, appkey: key.appkey, secretkey: key.secretkey, clock, requestTimeoutMs: s.kiwoom.requestTimeoutMs, limiter, maxBodyBytes: s.kiwoom.maxBodyBytes }) };
}

/** The token issuers (au10001 and KIS tokenP) of the endpoints, drawing on the keys' limiters. */
export function createTokenIssuers(s: KernelSettings, e: BrokerEndpoints, clock: Clock, limiters: BrokerLimiters = createBrokerLimiters(s, e, clock)): { readonly kiwoom: ClosableIssuer; readonly kis: ClosableIssuer | null } {
  return {
    kiwoom: createKiwoomTokenIssuer({ baseUrl: e.kiwoom.restUrl, appkey: e.kiwoom.appkey, secretkey: e.kiwoom.secretkey, clock, requestTimeoutMs: s.kiwoom.requestTimeoutMs, limiter: limiters.kiwoom, maxBodyBytes: s.kiwoom.maxBodyBytes }),
    kis: e.kis
      ? createKisTokenIssuer({ baseUrl: e.kis.restUrl, appkey: e.kis.appkey, appsecret: e.kis.appsecret, clock, requestTimeoutMs: s.kis.requestTimeoutMs, ...(limiters.kis && { limiter: limiters.kis }), maxBodyBytes: s.kis.maxBodyBytes })
      : null,
  };
}

export interface TokenSourceEnv {
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
  /** Persists tokens across restarts (config tokens.cache). */
  readonly cache?: TokenCache;
  /** Bad credentials for longer than tokens.credentialsExitAfterMs: the daemon exits for its supervisor. */
  readonly onGiveUp?: (failure: { readonly code: string; readonly message: string }) => void;
  /** Test-only knobs beyond the settings; spread last. */
  readonly overrides?: Partial<ManagedTokenSourceOptions>;
}

/** A managed token source for one broker, over its issuer. */
export function createBrokerTokenSource(broker: 'kiwoom' | 'kis', s: KernelSettings, restUrl: string, appkey: string, issuer: TokenIssuer, env: TokenSourceEnv, keyName?: string): ManagedTokenSource {
  // The first key keeps the historical names (logs, the seeded random's fork); the others carry theirs.
  const label = keyName === undefined ? broker : `${broker}:${keyName}`;
  return createManagedTokenSource({
    name: label,
    issuer,
    clock: env.clock,
    random: env.random.fork(`${label}-token`),
    refreshMarginMs: s.tokens.refreshMarginMs,
    ...(broker === 'kis' ? { minIssueIntervalMs: KIS_MIN_ISSUE_INTERVAL_MS } : {}),
    revokeOnShutdown: s.tokens.revokeOnShutdown,
    issueTimeoutMs: s.tokens.issueTimeoutMs,
    credentialsRetryBaseMs: s.tokens.credentialsRetryBaseMs,
    credentialsRetryCapMs: s.tokens.credentialsRetryCapMs,
    giveUpAfterMs: s.tokens.credentialsExitAfterMs,
    ...(env.onGiveUp && { onGiveUp: env.onGiveUp }),
    log: env.log.child({ component: 'token', broker, ...(keyName !== undefined && { key: keyName }) }),
    ...(env.cache ? { cache: { store: env.cache, key: { broker, host: new URL(restUrl).origin, appkey } } } : {}),
    ...env.overrides,
  });
}

/** Where each broker's REST answers come from: the one part live, sim, replay and the tests vary. */
export interface BrokerTransports {
  readonly clock: Clock;
  readonly log: Logger;
  readonly kiwoom: { readonly baseUrl: string; readonly transport: HttpTransport; readonly tokens: TokenSource };
  readonly kis: {
    readonly baseUrl: string;
    readonly transport: KisTransport;
    readonly tokens: TokenSource;
    readonly appkey: string;
    readonly appsecret: string;
    readonly htsId: string;
  } | null;
  /** The keys' shared limiters (live and sim); absent: each client keeps its own (replay, tests). */
  readonly limiters?: BrokerLimiters;
  /** Several Kiwoom app keys (kiwoom.keys): REST calls spread over them; absent or one: `kiwoom` alone. */
  readonly kiwoomKeys?: readonly { readonly name: string; readonly tokens: TokenSource; readonly limiter: RateLimiter }[];
  /** Whether a key may take REST calls now (not failed, lease held). */
  readonly usableKey?: (name: string) => boolean;
  /** Rate-limit answers counted for /metrics. */
  readonly rateLimitHits?: RateLimitCounts;
  /** Test-only knobs beyond the settings (retry counts and waits); spread last. */
  readonly tuning?: { readonly kiwoom?: Partial<KiwoomRestOptions>; readonly kis?: Partial<KisWatchlistOptions> };
}

export interface NetworkTransportOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly tokens: { readonly kiwoom: TokenSource; readonly kis: TokenSource | null };
  /** The keys' limiters, shared with the token issuers; absent: each REST client keeps its own. */
  readonly limiters?: BrokerLimiters;
  /** Rate-limit answers counted for /metrics. */
  readonly rateLimitHits?: RateLimitCounts;
  /** Several Kiwoom app keys: REST calls spread over them (see BrokerTransports.kiwoomKeys). */
  readonly kiwoomKeys?: BrokerTransports['kiwoomKeys'];
  readonly usableKey?: (name: string) => boolean;
  /** Every answer recorded (page by page) for a replay. */
  readonly recording?: FrameRecorder | null;
}

/** undici transports to the endpoints (bounded bodies), recorded as asked. */
export function networkTransports(s: KernelSettings, e: BrokerEndpoints, o: NetworkTransportOptions): BrokerTransports {
  const nowUs = (): number => o.clock.now() * 1000;
  let kiwoom: HttpTransport = createHttpTransport({ baseUrl: e.kiwoom.restUrl, clock: o.clock, timeoutMs: s.kiwoom.requestTimeoutMs, maxBodyBytes: s.kiwoom.maxBodyBytes });
  if (o.recording) kiwoom = recordingKiwoomTransport(kiwoom, o.recording, nowUs);
  let kis: BrokerTransports['kis'] = null;
  if (e.kis && o.tokens.kis) {
    let transport: KisTransport = createKisTransport({ baseUrl: e.kis.restUrl, clock: o.clock, timeoutMs: s.kis.requestTimeoutMs, maxBodyBytes: s.kis.maxBodyBytes });
    if (o.recording) transport = recordingKisTransport(transport, o.recording, nowUs);
    kis = { baseUrl: e.kis.restUrl, transport, tokens: o.tokens.kis, appkey: e.kis.appkey, appsecret: e.kis.appsecret, htsId: e.kis.htsId };
  }
  return {
    clock: o.clock,
    log: o.log,
    kiwoom: { baseUrl: e.kiwoom.restUrl, transport: kiwoom, tokens: o.tokens.kiwoom },
    kis,
    ...(o.limiters && { limiters: o.limiters }),
    ...(o.rateLimitHits && { rateLimitHits: o.rateLimitHits }),
    ...(o.kiwoomKeys && { kiwoomKeys: o.kiwoomKeys }),
    ...(o.usableKey && { usableKey: o.usableKey }),
  };
}

/** The REST clients every source polls through. */
export interface BrokerClients {
  readonly kiwoom: KiwoomApi;
  /** The client under `kiwoom` (schema drift counts). */
  readonly kiwoomRest: KiwoomRest;
  /** Null when KIS is disabled or has no credentials. */
  readonly kis: KisWatchlist | null;
  readonly clock: Clock;
  /** Closes the REST clients (and their transports); not the token sources. */
  close(): Promise<void>;
}

/** The REST clients over the given transports, configured from the settings. */
export function buildBrokerClients(s: KernelSettings, t: BrokerTransports): BrokerClients {
  const keys = t.kiwoomKeys ?? [];
  const rest =
    keys.length > 1
      ? spreadKiwoomRest(
          keys.map((k) => ({ name: k.name, rest: kiwoomRest(s, t, k.tokens, k.limiter, k.name), pending: () => k.limiter.pending() })),
          t.usableKey ?? (() => true),
        )
      : kiwoomRest(s, t, t.kiwoom.tokens, t.limiters?.kiwoom);
  const k = t.kis;
  const kis = k
    ? createKisWatchlist({
        baseUrl: k.baseUrl,
        appkey: k.appkey,
        appsecret: k.appsecret,
        htsId: k.htsId,
        custtype: s.kis.custtype,
        tokens: k.tokens,
        clock: t.clock,
        // The mock host allows 2 requests/s; the configured rate never exceeds what the host allows.
        requestsPerSecond: Math.min(s.kis.requestsPerSecond, defaultKisRate(k.baseUrl)),
        ...(t.limiters?.kis && { limiter: t.limiters.kis }),
        requestTimeoutMs: s.kis.requestTimeoutMs,
        maxRows: s.kis.maxRows,
        ...(t.rateLimitHits && { onOutcome: countRateLimits(t.rateLimitHits, 'kis') }),
        log: t.log.child({ component: 'kis' }),
        transport: k.transport,
        ...t.tuning?.kis,
      })
    : null;
  return {
    kiwoom: createKiwoomApi(rest),
    kiwoomRest: rest,
    kis,
    clock: t.clock,
    close: async () => {
      await rest.close();
      await kis?.close();
    },
  };
}

/** One Kiwoom REST client over the key's token source and limiter. */
function kiwoomRest(s: KernelSettings, t: BrokerTransports, tokens: TokenSource, limiter: RateLimiter | undefined, keyName?: string): KiwoomRest {
  return createKiwoomRest({
    baseUrl: t.kiwoom.baseUrl,
    tokens,
    clock: t.clock,
    requestsPerSecond: s.kiwoom.requestsPerSecond,
    ...(limiter && { limiter }),
    requestTimeoutMs: s.kiwoom.requestTimeoutMs,
    maxPages: s.kiwoom.maxPages,
    maxRows: s.kiwoom.maxRows,
    maxRowsByTr: s.kiwoom.maxRowsByTr,
    ...(t.rateLimitHits && { onOutcome: countRateLimits(t.rateLimitHits, 'kiwoom') }),
    log: t.log.child({ component: 'kiwoom-rest', ...(keyName !== undefined && { key: keyName }) }),
    transport: t.kiwoom.transport,
    ...t.tuning?.kiwoom,
  });
}
