import type { SimContext } from './context.js';
import type { SimCounters } from './counters.js';
import type { KiwoomWsServer } from './kiwoom-ws.js';
import { malformedFrame, type MalformedKind } from './malformed.js';
import type { ProgramMarket, ProgramRankRow } from './market.js';
import type { RealFeed } from './real-feed.js';
import type { TokenRejectForm } from './token-reject.js';
import type { WatchGroup } from './watchlists.js';

export interface PathFailure {
  readonly prefix: string;
  readonly status: number;
  /** Remaining failures; undefined = until cleared. */
  remaining: number | undefined;
}

/** Mutable fault state read by the request dispatcher. */
export interface FaultState {
  restDelayMs: number;
  failures: PathFailure[];
}

export interface ConnectionRegistrations {
  readonly id: number;
  readonly loggedIn: boolean;
  /** `item|type` pairs over all groups. */
  readonly items: Set<string>;
  /** grp_no -> `item|type` pairs. */
  readonly groups: Map<string, Set<string>>;
}

export interface FeedStats {
  readonly behindMs: number;
  readonly maxBehindMs: number;
  readonly tradesGenerated: number;
  readonly indicativeGenerated: number;
}

/** Fault controls and read-backs; the same operations are served as JSON under `/_sim/`. */
export interface SimFaults {
  /** Closes every WebSocket cleanly (close frame) or abruptly (`terminate`). Returns how many. */
  dropConnections(mode?: 'close' | 'terminate'): number;
  /** Silent: no frames and no PING, TCP kept open. */
  setSilent(silent: boolean): void;
  /** Sends crafted text frames (a REAL the market would not make) to every connection. Returns frames sent. */
  sendFrames(frames: readonly string[]): number;
  /** Sends `count` malformed frames of a kind to every connection. Returns frames sent. */
  sendMalformed(kind: MalformedKind, count?: number): number;
  /**
   * Kills one Kiwoom app key (the broker suspended it): its tokens are revoked (8005), new ones are
   * refused (8001), its socket is closed. `enableKiwoomKey` accepts it again. Returns sockets closed.
   */
  disableKiwoomKey(appkey: string): number;
  enableKiwoomKey(appkey: string): void;
  /** Expires every token issued so far (both brokers by default). Returns how many. */
  expireTokens(broker?: 'kiwoom' | 'kis' | 'all'): number;
  /** How expired, revoked or superseded Kiwoom tokens are refused from now on (REST and LOGIN). */
  setTokenRejectForm(form: TokenRejectForm): void;
  setRateLimits(limits: { kiwoomPerSecond?: number; kisPerSecond?: number }): void;
  /** The WebSocket's REG limits: items per group and connection, REG/REMOVE messages per second (0 = reject all). */
  setRegLimits(limits: { maxItems?: number; regPerSecond?: number }): void;
  /** Delays every REST response by `ms` on the sim clock (0 = off). */
  setRestDelay(ms: number): void;
  /** Answers requests whose path starts with `prefix` with `status` (default 500), `count` times or until cleared. */
  failPath(prefix: string, options?: { status?: number; count?: number }): void;
  /** Clears injected failures (of one prefix, or all). */
  clearFailures(prefix?: string): void;
  setTradesPerSecond(n: number): void;
  /** 0A entries per hour across the whole market (default 4: rare, as on the real feed). */
  setIndicativePerHour(n: number): void;
  setWatchlistGroup(code: string, stocks: readonly string[], name?: string): void;
  removeWatchlistGroup(code: string): boolean;
  watchlists(): WatchGroup[];
  registrations(): { current: number | null; connections: ConnectionRegistrations[] };
  /** A deep copy of the counters. */
  counters(): SimCounters;
  /** The market's current program net-buy ranking (top n, default 50). */
  programRanking(market: ProgramMarket, n?: number): ProgramRankRow[];
  feedStats(): FeedStats;
}

export function createFaults(ctx: SimContext, ws: KiwoomWsServer, feed: RealFeed, state: FaultState): SimFaults {
  return {
    dropConnections: (mode = 'close') => ws.dropAll(mode),
    setSilent: (silent) => ws.setSilent(silent),
    sendFrames: (frames) => ws.broadcastRaw(frames),
    sendMalformed: (kind, count = 1) => {
      const item = ws.anyRegisteredItem() ?? '005930';
      const frames = [];
      for (let i = 0; i < Math.max(0, Math.floor(count)); i++) frames.push(malformedFrame(kind, item, i));
      const n = ws.broadcastRaw(frames);
      ctx.counters.malformedSent += n;
      return n;
    },
    disableKiwoomKey: (appkey) => {
      ctx.opts.disabledKiwoomKeys.add(appkey);
      ctx.kiwoomTokens.revokeAppkey(appkey);
      return ws.dropAppkey(appkey);
    },
    enableKiwoomKey: (appkey) => {
      ctx.opts.disabledKiwoomKeys.delete(appkey);
    },
    expireTokens: (broker = 'all') => {
      const now = ctx.clock.now();
      let n = 0;
      if (broker !== 'kis') n += ctx.kiwoomTokens.expireAll(now);
      if (broker !== 'kiwoom') n += ctx.kisTokens.expireAll(now);
      return n;
    },
    setTokenRejectForm: (form) => {
      ctx.opts.tokenRejectForm = form;
    },
    setRateLimits: ({ kiwoomPerSecond, kisPerSecond }) => {
      if (kiwoomPerSecond !== undefined && kiwoomPerSecond > 0) {
        ctx.opts.kiwoomRatePerSecond = kiwoomPerSecond;
        ctx.kiwoomRate.limit = kiwoomPerSecond;
      }
      if (kisPerSecond !== undefined && kisPerSecond > 0) {
        ctx.opts.kisRatePerSecond = kisPerSecond;
        ctx.kisRate.limit = kisPerSecond;
      }
    },
    setRestDelay: (ms) => {
      state.restDelayMs = Math.max(0, ms);
    },
    failPath: (prefix, options = {}) => {
      state.failures.push({ prefix, status: options.status ?? 500, remaining: options.count });
    },
    clearFailures: (prefix) => {
      state.failures = prefix === undefined ? [] : state.failures.filter((f) => f.prefix !== prefix);
    },
    setTradesPerSecond: (n) => {
      if (Number.isFinite(n) && n >= 0) ctx.opts.tradesPerSecond = n;
    },
    setIndicativePerHour: (n) => {
      if (Number.isFinite(n) && n >= 0) ctx.opts.indicativePerHour = n;
    },
    setWatchlistGroup: (code, stocks, name) => ctx.watchlists.set(code, stocks, name),
    removeWatchlistGroup: (code) => ctx.watchlists.remove(code),
    watchlists: () => ctx.watchlists.list(),
    registrations: () => ws.registrations(),
    setRegLimits: (limits) => ws.setRegLimits(limits),
    counters: () => structuredClone(ctx.counters),
    programRanking: (market, n = 50) => ctx.market.programRanking(market, n),
    feedStats: () => ({ behindMs: feed.behindMs, maxBehindMs: feed.maxBehindMs, tradesGenerated: feed.tradesGenerated, indicativeGenerated: feed.indicativeGenerated }),
  };
}

/** The failure that applies to a path now (consuming one of its count). */
export function takeFailure(state: FaultState, path: string): PathFailure | undefined {
  const f = state.failures.find((x) => path.startsWith(x.prefix) && (x.remaining === undefined || x.remaining > 0));
  if (f === undefined) return undefined;
  if (f.remaining !== undefined) {
    f.remaining--;
    if (f.remaining <= 0) state.failures = state.failures.filter((x) => x !== f);
  }
  return f;
}
