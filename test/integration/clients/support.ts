import type { KisWatchlistOptions } from '../../../src/adapters/kis/watchlist.js';
import type { KiwoomRestOptions } from '../../../src/adapters/kiwoom/rest-client.js';
import { buildBrokerClients, createBrokerTokenSource, createTokenIssuers, networkTransports, type BrokerEndpoints } from '../../../src/app/broker-clients.js';
import { kernelSettings } from '../../../src/app/settings.js';
import type { ManagedTokenSourceOptions } from '../../../src/app/token-source.js';
import { kstToEpoch } from '../../../src/core/kst.js';
import type { Logger } from '../../../src/core/logger.js';
import { silentLog, type LogSink } from '../../../src/core/ports/log-sink.js';
import type { TokenIssuer } from '../../../src/core/ports/token-issuer.js';
import { createRandom } from '../../../src/core/random.js';
import { createVirtualClock, type VirtualClock } from '../../../src/core/virtual-clock.js';
import {
  SIM_KIS_APPKEY,
  SIM_KIS_APPSECRET,
  SIM_KIS_HTS_ID,
  SIM_KIWOOM_APPKEY,
  SIM_KIWOOM_SECRETKEY,
  startSimulator,
  type SimulatorHandle,
  type SimulatorOptions,
} from '../../../src/sim/index.js';
import { testConfig } from '../../support/config.js';

/** A Monday 10:00 KST. */
export const START_MS = kstToEpoch(2026, 1, 5, 10, 0, 0);

/** Request timeouts far beyond any clock step, so only the timeout test ever times out. */
export const LONG_TIMEOUT_MS = 24 * 3600_000;

export async function startSim(options: SimulatorOptions = {}, clock: VirtualClock = createVirtualClock(START_MS)) {
  const sim = await startSimulator({ seed: 11, stocks: 600, tickMs: 60_000, ...options, clock });
  return { sim, clock };
}

/** A LogSink that keeps every line, for assertions. */
export function memoryLog(): LogSink & { lines: { level: string; msg: string; fields: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, msg, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Counts issue() calls reaching an issuer (failed ones included). */
export function countIssues(issuer: TokenIssuer): TokenIssuer & { attempts: number[] } {
  const attempts: number[] = [];
  return {
    attempts,
    issue: () => {
      attempts.push(attempts.length);
      return issuer.issue();
    },
    revoke: (t) => issuer.revoke(t),
  };
}

export interface KiwoomStackOptions {
  appkey?: string;
  secretkey?: string;
  /** Settings (requestsPerSecond, maxPages, requestTimeoutMs) and test-only retry knobs. */
  rest?: Partial<KiwoomRestOptions>;
  tokens?: Partial<ManagedTokenSourceOptions>;
  log?: LogSink;
  /** Test-only fault injection around the real issuer. */
  wrapIssuer?: (issuer: TokenIssuer) => TokenIssuer;
}

/** A core Logger over a LogSink: children write to the same sink. */
function loggerOf(sink: LogSink = silentLog): Logger {
  const logger: Logger = { debug: sink.debug, info: sink.info, warn: sink.warn, error: sink.error, child: () => logger };
  return logger;
}

const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** The app's settings with request timeouts far beyond any clock step, unless a test asks for one. */
function stackSettings(kiwoom: Partial<KiwoomRestOptions> = {}, kis: Partial<KisWatchlistOptions> = {}) {
  return kernelSettings(
    testConfig({
      kiwoom: defined({ requestsPerSecond: kiwoom.requestsPerSecond, maxPages: kiwoom.maxPages, requestTimeoutMs: kiwoom.requestTimeoutMs ?? LONG_TIMEOUT_MS }),
      kis: defined({ requestsPerSecond: kis.requestsPerSecond, requestTimeoutMs: kis.requestTimeoutMs ?? LONG_TIMEOUT_MS }),
    }),
  );
}

/** Token source + REST client + typed API against the simulator, all on one clock, built as the app builds them. */
export function kiwoomStack(sim: SimulatorHandle, clock: VirtualClock, o: KiwoomStackOptions = {}) {
  const settings = stackSettings(o.rest);
  const log = loggerOf(o.log);
  const endpoints: BrokerEndpoints = {
    kiwoom: { restUrl: sim.url, wsUrl: sim.wsUrl, appkey: o.appkey ?? SIM_KIWOOM_APPKEY, secretkey: o.secretkey ?? SIM_KIWOOM_SECRETKEY },
    kis: null,
  };
  const real = createTokenIssuers(settings, endpoints, clock).kiwoom;
  const issuer = countIssues(o.wrapIssuer ? o.wrapIssuer(real) : real);
  const tokens = createBrokerTokenSource('kiwoom', settings, sim.url, endpoints.kiwoom.appkey, issuer, {
    clock,
    random: createRandom('kiwoom-tokens'),
    log,
    ...(o.tokens && { overrides: o.tokens }),
  });
  const clients = buildBrokerClients(settings, { ...networkTransports(settings, endpoints, { clock, log, tokens: { kiwoom: tokens, kis: null } }), ...(o.rest && { tuning: { kiwoom: o.rest } }) });
  return {
    issuer,
    tokens,
    rest: clients.kiwoomRest,
    api: clients.kiwoom,
    async close() {
      await tokens.shutdown();
      await clients.close();
      await real.close();
    },
  };
}

export interface KisStackOptions {
  appkey?: string;
  appsecret?: string;
  /** Settings (requestsPerSecond, requestTimeoutMs) and test-only retry knobs. */
  watchlist?: Partial<KisWatchlistOptions>;
  tokens?: Partial<ManagedTokenSourceOptions>;
  log?: LogSink;
}

/** Token source + watchlist client against the simulator, built as the app builds them. */
export function kisStack(sim: SimulatorHandle, clock: VirtualClock, o: KisStackOptions = {}) {
  const settings = stackSettings({}, o.watchlist);
  const log = loggerOf(o.log);
  const kis = { restUrl: sim.url, appkey: o.appkey ?? SIM_KIS_APPKEY, appsecret: o.appsecret ?? SIM_KIS_APPSECRET, htsId: SIM_KIS_HTS_ID };
  const endpoints: BrokerEndpoints = { kiwoom: { restUrl: sim.url, wsUrl: sim.wsUrl, appkey: SIM_KIWOOM_APPKEY, secretkey: SIM_KIWOOM_SECRETKEY }, kis };
  const issuers = createTokenIssuers(settings, endpoints, clock);
  const real = issuers.kis!;
  const issuer = countIssues(real);
  const tokens = createBrokerTokenSource('kis', settings, sim.url, kis.appkey, issuer, {
    clock,
    random: createRandom('kis-tokens'),
    log,
    ...(o.tokens && { overrides: o.tokens }),
  });
  const clients = buildBrokerClients(settings, {
    ...networkTransports(settings, endpoints, { clock, log, tokens: { kiwoom: tokens, kis: tokens } }),
    ...(o.watchlist && { tuning: { kis: o.watchlist } }),
  });
  return {
    issuer,
    tokens,
    watchlist: clients.kis!,
    async close() {
      await tokens.shutdown();
      await clients.close();
      await real.close();
      await issuers.kiwoom.close();
    },
  };
}

/**
 * Awaits `promise` while moving the virtual clock forward in `stepMs` steps, letting real socket
 * I/O run between steps. Rejects if it has not settled after `maxMs` of virtual time.
 */
export async function drive<T>(clock: VirtualClock, promise: Promise<T>, stepMs = 100, maxMs = 10 * 60_000): Promise<T> {
  let settled = false;
  const guarded = promise.finally(() => {
    settled = true;
  });
  guarded.catch(() => undefined);
  for (let spent = 0; !settled; spent += stepMs) {
    if (spent > maxMs) throw new Error(`not settled within ${maxMs} ms of virtual time`);
    await new Promise<void>((r) => setImmediate(r));
    await new Promise<void>((r) => setImmediate(r));
    if (settled) break;
    await clock.tickAsync(stepMs);
  }
  return guarded;
}
