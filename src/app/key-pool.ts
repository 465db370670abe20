import { BehaviorSubject, Subject, type Subscription } from 'rxjs';
import { createRealtimeStats, type RealtimeStats } from '../adapters/kiwoom/realtime-socket.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { RealtimeEvent } from '../core/market.js';
import type { MetricsRegistry, Sample } from '../observability/metrics.js';
import { createKeyLeaseGate, type KeyLeaseGate, type KeyLeaseOptions } from './key-lease.js';
export type { KeyLeaseOptions };
import { createKeyShards, type KeyDiff, type KeyShards } from './key-shards.js';
import type { ConnectionStatus, RealtimeConnection, SubscriptionStats, SubscriptionStatus } from './realtime-connection.js';
import type { ManagedTokenSource } from './token-source.js';

/**
 * Several Kiwoom app keys in one daemon (issue 19 items 1, 2 and 5): one token source and one
 * real-time connection per key (createRealtimeConnection, run N times, unchanged), the universe
 * sharded across them within each key's item budget (key-shards.ts), a failed key's symbols re-homed
 * on the others, and, with the bus, a lease per key before it is used.
 *
 * A key fails when its credentials are rejected (the token source or the socket says so), another
 * session took its socket (R10001), its socket was not live for `failoverMs` (the connection gave
 * up), or its lease was lost. A failing key is marked unusable only while another key is usable
 * (with nowhere to go, its symbols stay and wait for it). Leases: a key is not used until its lease
 * is held (Redis down at start = the key waits, reported, retried with backoff); a lost lease stops
 * the key's socket and token source before the lease ends; it is then taken again with backoff.
 */

/** A key's token source and socket, built afresh each time the key is activated. */
export interface KeyRuntime {
  readonly tokens: ManagedTokenSource;
  readonly connection: RealtimeConnection;
  /** Stops the socket (after a REMOVE of everything) and the token source. */
  close(): Promise<void>;
}

export interface KeyPoolOptions {
  /** Key names, in the configured order (ties in placement go to the first). */
  readonly keys: readonly string[];
  readonly clock: Clock;
  readonly log: Logger;
  /** Items per key (connection.maxItems). */
  readonly maxItems: number;
  /** A key's socket not live for this long fails the key (kiwoom.keyFailoverMs). */
  readonly failoverMs: number;
  /** Placed first when room is short (strategy-required symbols, config extras). */
  readonly staticSymbols: readonly string[];
  readonly open: (key: string) => KeyRuntime;
  /** With the bus: a lease per key. */
  readonly leases?: KeyLeaseOptions;
  /** How often key health is looked at (default 500 ms). */
  readonly checkEveryMs?: number;
}

export type KeyState = 'waiting-lease' | 'connecting' | 'live' | 'failing' | 'failed' | 'stopped';

export interface KeyStatus {
  readonly name: string;
  readonly state: KeyState;
  /** Whether the shards place symbols on it. */
  readonly usable: boolean;
  readonly reason: string | null;
  readonly code: string | null;
  /** Symbols the key holds. */
  readonly items: number;
  readonly wantedPairs: number;
  readonly ackedPairs: number;
  readonly regRejectionsByCode: Readonly<Record<string, number>>;
  /** null without leases. */
  readonly lease: 'held' | 'unverified' | 'waiting' | null;
}

/** What tests and the daemon read of the subscriptions, over every key. */
export interface SubscriptionView {
  wantedPairs(): string[];
  wantedItems(): string[];
  hasItem(item: string): boolean;
  readonly wantedCount: number;
  readonly ackedCount: number;
}

/** The keys' connections as one: a RealtimeConnection whose subscriptions are every key's (read-only). */
export type PooledConnection = Omit<RealtimeConnection, 'subscriptions'> & { readonly subscriptions: SubscriptionView };

export interface KeyPool {
  readonly connection: PooledConnection;
  keys(): KeyStatus[];
  /** The key's current connection (null while it is not active). */
  connectionOf(key: string): RealtimeConnection | null;
  /** The key's current token source (null while it is not active). */
  tokensOf(key: string): ManagedTokenSource | null;
  /** Whether REST may use the key now (active and not failing). */
  usableForRest(key: string): boolean;
  /** Universe symbols no key holds (every usable key full). */
  leftOut(): string[];
  /** Symbols moved off failed keys since the start. */
  movedSymbols(): number;
  /** /healthz reasons (degraded): keys failed, waiting for a lease, symbols left out. */
  degradedReasons(): string[];
  /** Per-key families on /metrics. */
  register(metrics: MetricsRegistry): void;
}

interface Slot {
  readonly name: string;
  runtime: KeyRuntime | null;
  subs: Subscription[];
  /** With leases: the key's lease (null without). */
  gate: KeyLeaseGate | null;
  lastLiveAt: number;
  failure: { code: string; reason: string } | null;
  /** Counters of runtimes closed since (a lost lease), so the key's totals never go back. */
  retired: RealtimeStats;
}

const EMPTY_STATUS: SubscriptionStatus = { wantedPairs: 0, ackedPairs: 0, rejectedPairs: 0, lastRejection: null, leftOut: 0 };

export function createKeyPool(o: KeyPoolOptions): KeyPool {
  const { clock, log } = o;
  const shards: KeyShards = createKeyShards({ keys: o.keys, budget: o.maxItems, staticSymbols: o.staticSymbols });
  const slots = new Map<string, Slot>(
    o.keys.map((name) => [name, { name, runtime: null, subs: [], gate: null, lastLiveAt: clock.monotonic(), failure: null, retired: createRealtimeStats() }]),
  );
  const primary = o.keys[0] as string;
  const single = o.keys.length === 1;
  // With leases no key is used before its lease is held.
  if (o.leases) for (const k of o.keys) shards.setUsable(k, false);
  const events = new Subject<RealtimeEvent>();
  const marketWide = new Subject<RealtimeEvent>();
  let universeLeftOut: readonly string[] = [];
  /** Per-item types set by a reload (null: as each socket was opened). */
  let perItemTypes: readonly string[] | null = null;
  let started = false;
  let stopped = false;
  let checkTimer: TimerHandle | undefined;
  let foreignEntries = 0;
  const statusSubject = new BehaviorSubject<ConnectionStatus>(aggregateStatus());

  /** Sends each key its share of a change; the universe's own left-out list goes to the first key (its log and count). */
  function route(diffs: Map<string, KeyDiff>, withUniverseLeftOut = false): void {
    for (const [name, diff] of diffs) {
      const conn = slots.get(name)?.runtime?.connection;
      if (conn) conn.applyDiff(withUniverseLeftOut && name === primary ? { ...diff, leftOut: universeLeftOut } : diff);
    }
    if (withUniverseLeftOut && !diffs.has(primary)) slots.get(primary)?.runtime?.connection.applyDiff({ add: [], remove: [], leftOut: universeLeftOut });
  }

  function activate(slot: Slot): void {
    if (stopped || slot.runtime) return;
    const runtime = o.open(slot.name);
    slot.runtime = runtime;
    slot.lastLiveAt = clock.monotonic();
    slot.failure = null;
    slot.subs = [
      runtime.connection.events$.subscribe((e) => {
        // One key: every entry is its own (the hot path keeps no lookup).
        if (single) return events.next(e);
        const owner = shards.ownerOf(e.symbol);
        // A symbol's entries come from the key that holds it; item-less and unknown ones from the first key only.
        if (owner === slot.name || ((owner === undefined || owner === null) && slot.name === firstActive())) events.next(e);
        else foreignEntries++;
      }),
      // Every key registers the item-less types (1h names stocks: each key passes its own); 0s from one key only.
      runtime.connection.marketWide$.subscribe((e) => {
        if (single || slot.name === firstActive()) marketWide.next(e);
      }),
      runtime.connection.status$.subscribe(() => publishStatus()),
    ];
    const mine = shards.symbolsOf(slot.name);
    if (perItemTypes !== null) runtime.connection.setRealtimeTypes(perItemTypes);
    runtime.connection.applyDiff({ add: mine, remove: [], ...(slot.name === primary ? { leftOut: universeLeftOut } : {}) });
    if (started) runtime.connection.start();
    log.info({ event: 'key.active', key: slot.name, items: mine.length }, `kiwoom key ${slot.name} in use (${mine.length} symbols)`);
  }

  async function deactivate(slot: Slot, why: string): Promise<void> {
    const runtime = slot.runtime;
    if (!runtime) return;
    slot.runtime = null;
    for (const s of slot.subs) s.unsubscribe();
    slot.subs = [];
    addStats(slot.retired, runtime.connection.stats);
    log.warn({ event: 'key.stopped', key: slot.name, reason: why }, `kiwoom key ${slot.name} no longer used: ${why}`);
    await runtime.close().catch((err: unknown) => log.error({ key: slot.name, err: errorMessage(err) }, 'closing a key failed'));
  }

  function firstActive(): string | undefined {
    return o.keys.find((k) => slots.get(k)?.runtime && shards.isUsable(k));
  }

  // --- leases -------------------------------------------------------------------------------
  function leaseGate(slot: Slot, lease: KeyLeaseOptions): KeyLeaseGate {
    return createKeyLeaseGate({
      key: slot.name,
      lease,
      clock,
      log,
      onHeld: () => {
        activate(slot);
        check();
      },
      onLost: (reason) => {
        // Stop using the key at once (socket and token), before the lease's TTL ends; the gate takes it again.
        markUnusable(slot, { code: 'E_KEY_LEASE', reason: `lease lost (${reason})` });
        void deactivate(slot, `lease lost (${reason})`);
      },
      onWaiting: () => check(),
    });
  }

  // --- health -------------------------------------------------------------------------------
  function failureOf(slot: Slot): { code: string; reason: string } | null {
    const rt = slot.runtime;
    if (!rt) return { code: 'E_KEY_LEASE', reason: `waiting for its lease (${slot.gate?.waiting() ?? 'not yet taken'})` };
    const c = rt.connection.status();
    const t = rt.tokens.status();
    const now = clock.monotonic();
    if (c.phase === 'live') {
      slot.lastLiveAt = now;
      return null;
    }
    if (c.phase === 'failed' || t.rejectedForMs !== undefined) {
      return { code: t.lastError?.code ?? c.lastError?.code ?? 'E_AUTH_CREDENTIALS', reason: `credentials rejected (${t.lastError?.code ?? c.lastError?.code ?? 'E_AUTH_CREDENTIALS'})` };
    }
    if (c.lastError?.code === 'E_WS_DUPLICATE_LOGIN') return { code: 'E_WS_DUPLICATE_LOGIN', reason: `another session took its socket (${c.lastError.message})` };
    if (now - slot.lastLiveAt >= o.failoverMs) {
      return { code: c.lastError?.code ?? 'E_KEY_FAILED', reason: `socket not live for ${Math.round((now - slot.lastLiveAt) / 1000)} s (${c.phase}${c.lastError ? `: ${c.lastError.code}` : ''})` };
    }
    return null;
  }

  function markUnusable(slot: Slot, failure: { code: string; reason: string }): void {
    slot.failure = failure;
    if (!shards.isUsable(slot.name)) return;
    const before = shards.moved;
    const moves = shards.setUsable(slot.name, false);
    route(moves);
    const movedNow = shards.moved - before;
    log.error(
      { event: 'key.failed', code: 'E_KEY_FAILED', key: slot.name, cause: failure.code, reason: failure.reason, moved: movedNow, leftOut: shards.leftOut().length },
      `kiwoom key ${slot.name} failed: ${failure.reason}; ${movedNow} symbols moved to the other keys, ${shards.leftOut().length} left out`,
    );
  }

  function check(): void {
    if (stopped) return;
    const failures = new Map<string, { code: string; reason: string } | null>();
    for (const slot of slots.values()) failures.set(slot.name, failureOf(slot));
    // Recoveries first, so a failing key has somewhere to go.
    for (const slot of slots.values()) {
      if (failures.get(slot.name) !== null || shards.isUsable(slot.name)) continue;
      slot.failure = null;
      const moves = shards.setUsable(slot.name, true);
      route(moves);
      log.info({ event: 'key.recovered', key: slot.name, items: shards.symbolsOf(slot.name).length }, `kiwoom key ${slot.name} usable again (${shards.symbolsOf(slot.name).length} symbols)`);
    }
    for (const slot of slots.values()) {
      const failure = failures.get(slot.name) ?? null;
      if (failure === null) {
        slot.failure = null;
        continue;
      }
      slot.failure = failure;
      if (!shards.isUsable(slot.name)) continue;
      const othersUsable = o.keys.some((k) => k !== slot.name && shards.isUsable(k) && failures.get(k) === null);
      // Unleased keys are never used; a failing key gives its symbols away only when another key can take them.
      if (!slot.runtime || othersUsable) markUnusable(slot, failure);
    }
    publishStatus();
  }

  // --- status -------------------------------------------------------------------------------
  function runtimes(): RealtimeConnection[] {
    return o.keys.map((k) => slots.get(k)?.runtime?.connection).filter((c): c is RealtimeConnection => c !== undefined);
  }
  function aggregateStatus(): ConnectionStatus {
    const conns = o.keys.map((k) => ({ name: k, conn: slots.get(k)?.runtime?.connection ?? null }));
    const statuses = conns.map((c) => (c.conn ? c.conn.status() : null));
    if (o.keys.length === 1 && statuses[0]) return statuses[0];
    const present = statuses.filter((s): s is ConnectionStatus => s !== null);
    const live = present.find((s) => s.phase === 'live');
    const lead = live ?? present[0];
    const notLive = present.find((s) => s.phase !== 'live');
    const sum = (f: (s: ConnectionStatus) => number): number => present.reduce((n, s) => n + f(s), 0);
    const leftOutByKeys = shards.leftOut().length;
    const subs: SubscriptionStatus = {
      wantedPairs: sum((s) => s.subscriptions.wantedPairs),
      ackedPairs: sum((s) => s.subscriptions.ackedPairs),
      rejectedPairs: sum((s) => s.subscriptions.rejectedPairs),
      lastRejection: present.find((s) => s.subscriptions.lastRejection)?.subscriptions.lastRejection ?? null,
      leftOut: sum((s) => s.subscriptions.leftOut) + leftOutByKeys,
    };
    const leaseWait = [...slots.values()].find((s) => !s.runtime);
    return {
      phase: lead?.phase ?? 'disconnected',
      since: lead?.since ?? clock.now(),
      attempt: sum((s) => s.attempt),
      reconnects: sum((s) => s.reconnects),
      duplicateLogins: sum((s) => s.duplicateLogins),
      nextRetryInMs: lead?.nextRetryInMs ?? null,
      lastError: notLive?.lastError ?? lead?.lastError ?? (leaseWait ? { code: 'E_KEY_LEASE', message: `kiwoom key ${leaseWait.name}: waiting for its lease (${leaseWait.gate?.waiting() ?? ''})` } : null),
      wantedPairs: sum((s) => s.wantedPairs),
      subscriptions: present.length > 0 ? subs : { ...EMPTY_STATUS, leftOut: leftOutByKeys },
    };
  }
  function publishStatus(): void {
    if (!statusSubject.closed) statusSubject.next(aggregateStatus());
  }
  function stats(): RealtimeStats {
    const total = createRealtimeStats();
    for (const slot of slots.values()) {
      addStats(total, slot.retired);
      if (slot.runtime) addStats(total, slot.runtime.connection.stats);
    }
    return total;
  }
  function subscriptionStats(): SubscriptionStats {
    const conns = runtimes();
    if (o.keys.length === 1 && conns[0]) return conns[0].subscriptionStats;
    const silences: Record<string, number> = {};
    for (const c of conns) for (const [s, n] of Object.entries(c.subscriptionStats.symbolSilences)) silences[s] = (silences[s] ?? 0) + n;
    return {
      unregisteredEntries: conns.reduce((n, c) => n + c.subscriptionStats.unregisteredEntries, 0),
      lateEntries: conns.reduce((n, c) => n + c.subscriptionStats.lateEntries, 0) + foreignEntries,
      symbolSilences: silences,
      leftOut: conns.reduce((n, c) => n + c.subscriptionStats.leftOut, 0) + shards.leftOut().length,
      // Each key counts the item-less 1h entries of stocks it does not hold (outside the universe, or on another key).
      outsideUniverse: conns.reduce((n, c) => n + c.subscriptionStats.outsideUniverse, 0),
    };
  }
  function keyStatus(slot: Slot): KeyStatus {
    const conn = slot.runtime?.connection ?? null;
    const c = conn?.status() ?? null;
    const usable = shards.isUsable(slot.name);
    const state: KeyState = stopped ? 'stopped' : !slot.runtime ? 'waiting-lease' : !usable ? 'failed' : slot.failure ? 'failing' : c?.phase === 'live' ? 'live' : 'connecting';
    const rejections: Record<string, number> = { ...slot.retired.regRejectionsByCode };
    for (const [code, n] of Object.entries(conn?.stats.regRejectionsByCode ?? {})) rejections[code] = (rejections[code] ?? 0) + n;
    return {
      name: slot.name,
      state,
      usable,
      reason: slot.failure?.reason ?? null,
      code: slot.failure?.code ?? null,
      items: shards.symbolsOf(slot.name).length,
      wantedPairs: c?.subscriptions.wantedPairs ?? 0,
      ackedPairs: c?.subscriptions.ackedPairs ?? 0,
      regRejectionsByCode: rejections,
      lease: slot.gate ? slot.gate.state() : null,
    };
  }

  const subscriptions: SubscriptionView = {
    wantedPairs: () => runtimes().flatMap((c) => c.subscriptions.wantedPairs()).sort(),
    wantedItems: () => runtimes().flatMap((c) => c.subscriptions.wantedItems()).sort(),
    hasItem: (item) => runtimes().some((c) => c.subscriptions.hasItem(item)),
    get wantedCount() {
      return runtimes().reduce((n, c) => n + c.subscriptions.wantedCount, 0);
    },
    get ackedCount() {
      return runtimes().reduce((n, c) => n + c.subscriptions.ackedCount, 0);
    },
  };

  const connection: PooledConnection = {
    events$: events.asObservable(),
    marketWide$: marketWide.asObservable(),
    status$: statusSubject.asObservable(),
    get stats() {
      const conns = runtimes();
      // One key, never re-created: its own live counters.
      return o.keys.length === 1 && conns[0] && !o.leases ? conns[0].stats : stats();
    },
    get subscriptionStats() {
      return subscriptionStats();
    },
    subscriptions,
    status: aggregateStatus,
    applyDiff: (diff) => {
      if (diff.leftOut !== undefined) universeLeftOut = diff.leftOut;
      route(shards.applyUniverse(diff), diff.leftOut !== undefined);
      publishStatus();
    },
    setRealtimeTypes: (types) => {
      perItemTypes = [...types];
      for (const c of runtimes()) c.setRealtimeTypes(perItemTypes);
    },
    start: () => {
      if (started) return;
      started = true;
      for (const slot of slots.values()) {
        if (o.leases) (slot.gate = leaseGate(slot, o.leases)).start();
        else if (slot.runtime) slot.runtime.connection.start();
        else activate(slot);
      }
      checkTimer = clock.setInterval(check, Math.max(50, o.checkEveryMs ?? 500));
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (checkTimer !== undefined) clock.clearInterval(checkTimer);
      const all = [...slots.values()];
      await Promise.all(
        all.map(async (slot) => {
          const rt = slot.runtime;
          slot.runtime = null;
          for (const s of slot.subs) s.unsubscribe();
          if (rt) {
            addStats(slot.retired, rt.connection.stats);
            await rt.close().catch((err: unknown) => log.error({ key: slot.name, err: errorMessage(err) }, 'closing a key failed'));
          }
          // The lease goes only after the socket and the token source are closed.
          await slot.gate?.stop();
        }),
      );
      events.complete();
      marketWide.complete();
      statusSubject.complete();
    },
  };

  // Activation before start (no leases): each key's connection exists from the beginning, like the single socket did.
  if (!o.leases) for (const slot of slots.values()) activate(slot);

  return {
    connection,
    keys: () => o.keys.map((k) => keyStatus(slots.get(k) as Slot)),
    connectionOf: (key) => slots.get(key)?.runtime?.connection ?? null,
    tokensOf: (key) => slots.get(key)?.runtime?.tokens ?? null,
    usableForRest: (key) => {
      const slot = slots.get(key);
      return slot?.runtime !== null && slot?.runtime !== undefined && shards.isUsable(key);
    },
    leftOut: () => shards.leftOut(),
    movedSymbols: () => shards.moved,
    degradedReasons: () => {
      if (o.keys.length === 1 && !o.leases) return [];
      const reasons: string[] = [];
      for (const k of o.keys) {
        const s = keyStatus(slots.get(k) as Slot);
        if (s.state === 'failed' || s.state === 'waiting-lease') reasons.push(`kiwoom key ${k} ${s.state === 'failed' ? 'failed' : 'not in use'}: ${s.reason ?? 'unknown'}`);
      }
      const out = shards.leftOut().length;
      if (out > 0) reasons.push(`${out} symbols held by no key (every usable key at connection.maxItems)`);
      return reasons;
    },
    register: (metrics) => {
      const per = (f: (s: KeyStatus) => number) => (): Sample[] => o.keys.map((k) => ({ labels: { key: k }, value: f(keyStatus(slots.get(k) as Slot)) }));
      const STATES: readonly KeyState[] = ['waiting-lease', 'connecting', 'live', 'failing', 'failed', 'stopped'];
      metrics.collect('krx_key_state', 'Kiwoom app key state: 1 for the current state, 0 for the others', 'gauge', ['key', 'state'], () =>
        o.keys.flatMap((k) => {
          const s = keyStatus(slots.get(k) as Slot);
          return STATES.map((state) => ({ labels: { key: k, state }, value: s.state === state ? 1 : 0 }));
        }),
      );
      metrics.collect('krx_key_items', 'Symbols each Kiwoom app key holds', 'gauge', ['key'], per((s) => s.items));
      metrics.collect('krx_key_acknowledged_pairs', 'Real-time pairs the broker acknowledged, by app key', 'gauge', ['key'], per((s) => s.ackedPairs));
      metrics.collect('krx_key_registration_rejections_total', 'REG/REMOVE answers with a non-zero return_code, by app key and code', 'counter', ['key', 'code'], () =>
        o.keys.flatMap((k) => Object.entries(keyStatus(slots.get(k) as Slot).regRejectionsByCode).map(([code, value]) => ({ labels: { key: k, code }, value }))),
      );
      metrics.collect('krx_key_moved_symbols_total', 'Symbols moved off a failed Kiwoom app key to another', 'counter', [], () => shards.moved);
      metrics.collect('krx_key_left_out', 'Universe symbols no app key holds (every usable key at connection.maxItems)', 'gauge', [], () => shards.leftOut().length);
      if (o.leases) metrics.collect('krx_key_lease_held', '1 while this node holds the app key lease', 'gauge', ['key'], per((s) => (s.lease === 'held' ? 1 : 0)));
    },
  };
}

/** Adds b's counters into a. */
function addStats(a: RealtimeStats, b: RealtimeStats): void {
  a.frames += b.frames;
  a.entries += b.entries;
  a.pings += b.pings;
  a.decodeErrors += b.decodeErrors;
  a.pingsEchoed += b.pingsEchoed;
  a.regMessages += b.regMessages;
  a.removeMessages += b.removeMessages;
  a.socketsOpened += b.socketsOpened;
  a.openSockets += b.openSockets;
  a.maxOpenSockets = Math.max(a.maxOpenSockets, b.maxOpenSockets);
  for (const [k, n] of Object.entries(b.regRejectionsByCode)) a.regRejectionsByCode[k] = (a.regRejectionsByCode[k] ?? 0) + n;
  for (const [k, n] of Object.entries(b.decodeErrorsByCode)) a.decodeErrorsByCode[k] = (a.decodeErrorsByCode[k] ?? 0) + n;
}
