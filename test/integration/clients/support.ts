import { createKisTokenIssuer, KIS_MIN_ISSUE_INTERVAL_MS } from '../../../src/adapters/kis/auth.js';
import { createKisWatchlist, type KisWatchlistOptions } from '../../../src/adapters/kis/watchlist.js';
import { createKiwoomApi } from '../../../src/adapters/kiwoom/api.js';
import { createKiwoomTokenIssuer } from '../../../src/adapters/kiwoom/auth.js';
import { createKiwoomRest, type KiwoomRestOptions } from '../../../src/adapters/kiwoom/rest-client.js';
import { createManagedTokenSource, type ManagedTokenSourceOptions } from '../../../src/app/token-source.js';
import { kstToEpoch } from '../../../src/core/kst.js';
import type { LogSink } from '../../../src/core/ports/log-sink.js';
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
  rest?: Partial<KiwoomRestOptions>;
  tokens?: Partial<ManagedTokenSourceOptions>;
  log?: LogSink;
  /** Test-only fault injection around the real issuer. */
  wrapIssuer?: (issuer: TokenIssuer) => TokenIssuer;
}

/** Token source + REST client + typed API against the simulator, all on one clock. */
export function kiwoomStack(sim: SimulatorHandle, clock: VirtualClock, o: KiwoomStackOptions = {}) {
  const real = createKiwoomTokenIssuer({
    baseUrl: sim.url,
    appkey: o.appkey ?? SIM_KIWOOM_APPKEY,
    secretkey: o.secretkey ?? SIM_KIWOOM_SECRETKEY,
    clock,
    requestTimeoutMs: LONG_TIMEOUT_MS,
  });
  const issuer = countIssues(o.wrapIssuer ? o.wrapIssuer(real) : real);
  const tokens = createManagedTokenSource({
    name: 'kiwoom',
    issuer,
    clock,
    random: createRandom('kiwoom-tokens'),
    ...(o.log && { log: o.log }),
    ...o.tokens,
  });
  const rest = createKiwoomRest({
    baseUrl: sim.url,
    tokens,
    clock,
    requestTimeoutMs: LONG_TIMEOUT_MS,
    ...(o.log && { log: o.log }),
    ...o.rest,
  });
  const api = createKiwoomApi(rest);
  return {
    issuer,
    tokens,
    rest,
    api,
    async close() {
      await tokens.shutdown();
      await rest.close();
      await real.close();
    },
  };
}

export interface KisStackOptions {
  appkey?: string;
  appsecret?: string;
  watchlist?: Partial<KisWatchlistOptions>;
  tokens?: Partial<ManagedTokenSourceOptions>;
  log?: LogSink;
}

export function kisStack(sim: SimulatorHandle, clock: VirtualClock, o: KisStackOptions = {}) {
  const real = createKisTokenIssuer({
    baseUrl: sim.url,
    appkey: o.appkey ?? SIM_KIS_APPKEY,
    appsecret: o.appsecret ?? SIM_KIS_APPSECRET,
    clock,
    requestTimeoutMs: LONG_TIMEOUT_MS,
  });
  const issuer = countIssues(real);
  const tokens = createManagedTokenSource({
    name: 'kis',
    issuer,
    clock,
    random: createRandom('kis-tokens'),
    minIssueIntervalMs: KIS_MIN_ISSUE_INTERVAL_MS,
    ...(o.log && { log: o.log }),
    ...o.tokens,
  });
  const watchlist = createKisWatchlist({
    baseUrl: sim.url,
    appkey: o.appkey ?? SIM_KIS_APPKEY,
    appsecret: o.appsecret ?? SIM_KIS_APPSECRET,
    htsId: SIM_KIS_HTS_ID,
    tokens,
    clock,
    requestTimeoutMs: LONG_TIMEOUT_MS,
    ...(o.log && { log: o.log }),
    ...o.watchlist,
  });
  return {
    issuer,
    tokens,
    watchlist,
    async close() {
      await tokens.shutdown();
      await watchlist.close();
      await real.close();
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
