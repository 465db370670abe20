import { WebSocket } from 'ws';
import type { Daemon } from '../../src/app/daemon.js';
import { MALFORMED_KINDS, type SimulatorHandle } from '../../src/sim/index.js';

/**
 * The fault rotation shared by the real-time soak (bench/soak/run.ts) and the fake-time week
 * (test/resilience/week.test.ts). Time is abstract here: `advance` sleeps in real time or ticks a
 * virtual clock, so the same faults run in both.
 */
export const FAULT_KINDS = ['drop-close', 'drop-terminate', 'silence', 'token-expiry', 'rate-limit', 'malformed', 'duplicate-login'] as const;
/**
 * The real-time soak adds the faults of issue 20 it has hooks for: a full disk (both SQLite files stop
 * growing for the hold, then space returns) and REG rejected from the start of a connection.
 */
export const SOAK_FAULT_KINDS = [...FAULT_KINDS, 'full-disk', 'reg-rejection'] as const;
export type FaultKind = (typeof SOAK_FAULT_KINDS)[number];

export interface FaultEnv {
  readonly daemon: Daemon;
  readonly sim: SimulatorHandle;
  /** The daemon's connection watchdog: silence must outlast it. */
  readonly watchdogMs: number;
  /** The simulator's REST limits to restore after a rate-limit burst. */
  readonly normalRates: { readonly kiwoomPerSecond: number; readonly kisPerSecond: number };
  /** How long a rate-limit burst lasts (and a full disk, and REG rejection). */
  readonly rateLimitHoldMs: number;
  /** The simulator's REG rate to restore after REG rejection (config sim.regRatePerSecond). */
  readonly normalRegPerSecond?: number;
  /** Moves time on by `ms` (sleep or virtual ticks), letting loopback I/O run. */
  advance(ms: number): Promise<void>;
  now(): number;
  /** Step between two recovery checks. */
  readonly stepMs: number;
}

export interface FaultOutcome {
  readonly kind: FaultKind;
  readonly injectedAt: number;
  /** From injection to live with the simulator holding exactly the wanted set; null = not within the timeout. */
  readonly recoveryMs: number | null;
  readonly reconnected: boolean;
  /** Decode errors the connection counted from injection to recovery. */
  readonly decodeErrors: number;
}

/** Faults after which the socket must have been replaced. */
const RECONNECTS: ReadonlySet<FaultKind> = new Set(['drop-close', 'drop-terminate', 'silence', 'token-expiry', 'duplicate-login', 'reg-rejection']);

/**
 * Decode errors one `malformed` fault must add per connection: three frames of every kind, all
 * counted except `unknown-type` (a well-formed entry of a type we do not decode: a raw event).
 */
export const MALFORMED_DECODE_ERRORS = 3 * (MALFORMED_KINDS.length - 1);

/** The simulator's registrations of its current connection, sorted. */
export function serverPairs(sim: SimulatorHandle): string[] {
  const regs = sim.faults.registrations();
  const current = regs.connections.find((c) => c.id === regs.current);
  return current && current.loggedIn ? [...current.items].sort() : [];
}

/** Live, and the simulator holds exactly the wanted set. */
export function isResubscribed(daemon: Daemon, sim: SimulatorHandle): boolean {
  if (daemon.connection.status().phase !== 'live') return false;
  const wanted = daemon.connection.subscriptions.wantedPairs();
  const held = serverPairs(sim);
  return wanted.length === held.length && wanted.every((p, i) => p === held[i]);
}

/** Injects one fault, heals it when it has a duration, and measures the time to resubscribed. */
export async function runFault(kind: FaultKind, env: FaultEnv, timeoutMs: number): Promise<FaultOutcome> {
  const { daemon, sim } = env;
  const before = daemon.connection.status().reconnects;
  const decodeBefore = daemon.connection.stats.decodeErrors;
  const injectedAt = env.now();
  let intruder: WebSocket | null = null;
  switch (kind) {
    case 'drop-close':
      sim.faults.dropConnections('close');
      break;
    case 'drop-terminate':
      sim.faults.dropConnections('terminate');
      break;
    case 'silence':
      sim.faults.setSilent(true);
      await env.advance(env.watchdogMs + 5_000);
      sim.faults.setSilent(false);
      break;
    case 'token-expiry':
      // Both brokers' tokens die; the next LOGIN and the next polls meet the rejection.
      sim.faults.expireTokens('all');
      sim.faults.dropConnections('terminate');
      break;
    case 'rate-limit':
      sim.faults.setRateLimits({ kiwoomPerSecond: 1, kisPerSecond: 1 });
      await env.advance(env.rateLimitHoldMs);
      sim.faults.setRateLimits(env.normalRates);
      break;
    case 'malformed': {
      let connections = 0;
      for (const k of MALFORMED_KINDS) connections = sim.faults.sendMalformed(k, 3) / 3;
      // Recovery is immediate (no reconnect): wait until the frames have arrived and were counted.
      const expected = MALFORMED_DECODE_ERRORS * connections;
      for (let i = 0; i < 100 && daemon.connection.stats.decodeErrors - decodeBefore < expected; i++) await env.advance(Math.min(env.stepMs, 50));
      break;
    }
    case 'duplicate-login':
      intruder = await duplicateLogin(env);
      break;
    case 'full-disk':
      // Neither SQLite file may grow by a page (SQLITE_FULL) for the hold; then space returns.
      daemon.store.database.pragma('max_page_count = 1');
      daemon.recording?.limitGrowth(true);
      await env.advance(env.rateLimitHoldMs);
      daemon.store.database.pragma('max_page_count = 1073741823');
      daemon.recording?.limitGrowth(false);
      break;
    case 'reg-rejection':
      // Every REG of the next connection is rejected (105110) for the hold: retried with backoff.
      sim.faults.setRegLimits({ regPerSecond: 0 });
      sim.faults.dropConnections('close');
      await env.advance(env.rateLimitHoldMs);
      sim.faults.setRegLimits({ regPerSecond: env.normalRegPerSecond ?? 5 });
      break;
  }
  const expectReconnect = RECONNECTS.has(kind);
  let recoveryMs: number | null = null;
  while (env.now() - injectedAt <= timeoutMs) {
    const reconnected = daemon.connection.status().reconnects > before;
    const drained = kind !== 'full-disk' || daemon.store.stats().queued === 0;
    if ((!expectReconnect || reconnected) && drained && isResubscribed(daemon, sim)) {
      recoveryMs = env.now() - injectedAt;
      break;
    }
    await env.advance(env.stepMs);
  }
  intruder?.terminate();
  return { kind, injectedAt, recoveryMs, reconnected: daemon.connection.status().reconnects > before, decodeErrors: daemon.connection.stats.decodeErrors - decodeBefore };
}

/** Another client logs in with the daemon's own token: the simulator kicks the daemon (R10001). */
async function duplicateLogin(env: FaultEnv): Promise<WebSocket> {
  const token = await env.daemon.tokens.kiwoom.getToken();
  const ws = new WebSocket(env.sim.wsUrl, { perMessageDeflate: false });
  ws.on('error', () => undefined);
  ws.on('message', (data) => {
    // Echo PINGs like a well-behaved client, so the intruder is not kicked for silence first.
    const text = data.toString();
    if (text.includes('"PING"')) ws.send(text);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const kicksBefore = env.daemon.connection.status().duplicateLogins;
  ws.send(JSON.stringify({ trnm: 'LOGIN', token }));
  for (let i = 0; i < 200 && env.daemon.connection.status().duplicateLogins === kicksBefore; i++) await env.advance(Math.min(env.stepMs, 50));
  return ws;
}

/** p-th percentile (nearest rank) of the values; null when empty. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? null;
}
