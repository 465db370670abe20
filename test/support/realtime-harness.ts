import { createKiwoomTokenIssuer } from '../../src/adapters/kiwoom/auth.js';
import { createRealtimeConnection, type RealtimeConnection, type SubscriptionSettings } from '../../src/app/realtime-connection.js';
import { createManagedTokenSource, type ManagedTokenSource } from '../../src/app/token-source.js';
import type { RealtimeEvent } from '../../src/core/market.js';
import type { LogSink } from '../../src/core/ports/log-sink.js';
import { createRandom } from '../../src/core/random.js';
import type { RegistrationMessage } from '../../src/core/subscription-set.js';
import type { SocketEvent } from '../../src/core/realtime-socket.js';
import { createVirtualClock, type VirtualClock } from '../../src/core/virtual-clock.js';
import { SIM_KIWOOM_APPKEY, SIM_KIWOOM_SECRETKEY, startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../src/sim/index.js';
import type { ConnectionSettings } from '../../state/connection.machine.js';
import { CONNECTION_DEFAULTS } from './connection.js';

/** Friday 2026-11-20 09:00 KST. */
export const SESSION_START = Date.UTC(2026, 10, 20, 0, 0, 0);

/** The config defaults, with REG pacing off unless a test turns it on (most tests never advance time to settle). */
export const TEST_SETTINGS: ConnectionSettings & SubscriptionSettings = { ...CONNECTION_DEFAULTS, regIntervalMs: 0 };

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  msg: string;
}

/** What the client saw and did, in order: socket lifecycle events and REG/REMOVE messages sent. */
export type TimelineEntry = { lifecycle: SocketEvent['type'] } | { sent: RegistrationMessage };

export interface RealtimeHarness {
  clock: VirtualClock;
  sim: SimulatorHandle;
  conn: RealtimeConnection;
  tokens: ManagedTokenSource;
  events: RealtimeEvent[];
  /** Market-wide entries of the item-less registrations (0s). */
  marketWide: RealtimeEvent[];
  logs: LogLine[];
  timeline: TimelineEntry[];
  /** Pairs a REG carried although they were not wanted when it was sent (must stay empty). */
  unwantedRegs: string[];
  /** Yields to real I/O (never advancing time) until `check` holds. */
  until(check: () => boolean, what: string): Promise<void>;
  /** Until the connection is live and the simulator holds exactly the wanted set. */
  settled(): Promise<void>;
  /** The simulator's registrations of its current connection. */
  serverPairs(): string[];
  /** Advances through the current backoff delay. */
  waitOutBackoff(): Promise<void>;
  close(): Promise<void>;
}

export async function startRealtimeHarness(options: {
  seed?: string;
  symbols?: readonly string[];
  settings?: Partial<ConnectionSettings & SubscriptionSettings>;
  sim?: SimulatorOptions;
  regChunkSize?: number;
  /** Virtual start (default SESSION_START). */
  start?: number;
  realtimeTypes?: readonly string[];
  itemlessTypes?: readonly string[];
} = {}): Promise<RealtimeHarness> {
  const clock = createVirtualClock(options.start ?? SESSION_START);
  // REG pacing is off by default here (TEST_SETTINGS), so the simulator's REG rate limit is lifted to match;
  // the pacing tests set both.
  const sim = await startSimulator({ clock, seed: 7, tradesPerSecond: 40, pingIntervalMs: 10_000, pingTimeoutMs: 30_000, regRatePerSecond: 1_000, ...options.sim });
  const logs: LogLine[] = [];
  const log: LogSink = {
    debug: (fields, msg) => logs.push({ level: 'debug', fields, msg }),
    info: (fields, msg) => logs.push({ level: 'info', fields, msg }),
    warn: (fields, msg) => logs.push({ level: 'warn', fields, msg }),
    error: (fields, msg) => logs.push({ level: 'error', fields, msg }),
  };
  const issuer = createKiwoomTokenIssuer({ baseUrl: sim.url, appkey: SIM_KIWOOM_APPKEY, secretkey: SIM_KIWOOM_SECRETKEY, clock });
  const tokens = createManagedTokenSource({ name: 'kiwoom', issuer, clock, random: createRandom('tokens'), log });
  const timeline: TimelineEntry[] = [];
  const unwantedRegs: string[] = [];
  let conn: RealtimeConnection;
  conn = createRealtimeConnection({
    url: sim.wsUrl,
    clock,
    random: createRandom(options.seed ?? 'backoff'),
    settings: { ...TEST_SETTINGS, ...options.settings },
    tokens,
    log,
    realtimeTypes: options.realtimeTypes ?? ['0B', '0A'],
    ...(options.itemlessTypes ? { itemlessTypes: options.itemlessTypes } : {}),
    regChunkSize: options.regChunkSize ?? 100,
    groupNo: '1',
    onRegistrationSent: (message) => {
      timeline.push({ sent: message });
      // A REG may only carry pairs that are wanted at the moment it is sent.
      if (message.trnm === 'REG') {
        const wanted = new Set(conn.subscriptions.wantedPairs());
        for (const d of message.data) for (const i of d.item) for (const t of d.type) if (!wanted.has(`${i}|${t}`)) unwantedRegs.push(`${i}|${t}`);
      }
    },
    onLifecycle: (event) => timeline.push({ lifecycle: event.type }),
  });
  const events: RealtimeEvent[] = [];
  conn.events$.subscribe((e) => events.push(e));
  const marketWide: RealtimeEvent[] = [];
  conn.marketWide$.subscribe((e) => marketWide.push(e));
  conn.applyDiff({ add: options.symbols ?? ['005930', '000660', '035420'], remove: [] });

  const until = async (check: () => boolean, what: string): Promise<void> => {
    for (let turn = 0; turn < 20_000; turn++) {
      if (check()) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    throw new Error(`gave up waiting for ${what} (phase ${conn.status().phase})`);
  };
  const serverPairs = (): string[] => {
    const regs = sim.faults.registrations();
    const current = regs.connections.find((c) => c.id === regs.current);
    return current ? [...current.items].sort() : [];
  };
  const harness: RealtimeHarness = {
    clock,
    sim,
    conn,
    tokens,
    events,
    marketWide,
    logs,
    timeline,
    unwantedRegs,
    until,
    serverPairs,
    settled: async () => {
      await until(() => conn.status().phase === 'live' && JSON.stringify(serverPairs()) === JSON.stringify(conn.subscriptions.wantedPairs()), 'live with the wanted set registered');
    },
    waitOutBackoff: async () => {
      await until(() => conn.status().phase === 'backoff', 'backoff');
      await clock.tickAsync(conn.status().nextRetryInMs ?? 0);
    },
    close: async () => {
      await conn.stop();
      await tokens.shutdown();
      await issuer.close();
      await sim.close();
    },
  };
  return harness;
}

/** The backoff delays the connection chose, from its warn lines. */
export function backoffDelays(logs: readonly LogLine[]): number[] {
  return logs.filter((l) => l.fields.event === 'connection.backoff').map((l) => l.fields.delayMs as number);
}

/** On every socket, each REG/REMOVE was sent after that socket's LOGIN was acknowledged. */
export function regsOnlyAfterLogin(timeline: readonly TimelineEntry[]): boolean {
  let loggedIn = false;
  for (const t of timeline) {
    if ('lifecycle' in t) {
      if (t.lifecycle === 'socket.opened') loggedIn = false;
      if (t.lifecycle === 'login.ok') loggedIn = true;
    } else if (!loggedIn) return false;
  }
  return true;
}
