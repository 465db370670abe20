import { itemOf } from '../adapters/kiwoom/venue-codes.js';
import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import { createActor, fromCallback, fromPromise, type SnapshotFrom } from 'xstate';
import { createRealtimeStats, RealtimeSocket, type RealtimeStats } from '../adapters/kiwoom/realtime-socket.js';
import type { Clock } from '../core/clock.js';
import { CONNECTION_PHASES, type ConnectionPhase } from '../core/connection-phase.js';
import type { Exchange, RealtimeEvent } from '../core/market.js';
import type { LogSink } from '../core/ports/log-sink.js';
import type { TokenSource } from '../core/ports/token-source.js';
import type { Random } from '../core/random.js';
import type { SocketCommand, SocketEvent } from '../core/realtime-socket.js';
import { ITEMLESS, SubscriptionSet, type RegistrationMessage } from '../core/subscription-set.js';
import { WIRE_TYPE } from '../adapters/kiwoom/realtime-types.js';
import { withConnectionPorts, type ConnectionSettings, type LastError } from '../../state/connection.machine.js';
import { createSymbolSilenceWatch, type SymbolSilenceWatch } from './symbol-silence.js';

/**
 * The bridge between the connection machine (lifecycle) and the socket adapter (data): the only
 * place they meet. Market events flow through a Subject, never through machine context. Entries for
 * symbols that are not wanted are dropped and counted here, so they never reach strategies or
 * per-symbol state (the wanted set is the truth).
 */
export type { ConnectionPhase };

/** Budget, pacing and retry of the subscriptions (config `connection.*`). */
export interface SubscriptionSettings {
  readonly maxItems: number;
  readonly regIntervalMs: number;
  readonly regRetryBaseMs: number;
  readonly regRetryCapMs: number;
  /** 0 = off. */
  readonly silentSymbolMs: number;
  /** Whether the item-less registration counts as one item of `maxItems` (default true; [U] protocol.md 10.7). */
  readonly itemlessCountsAsItem?: boolean;
}

export interface SubscriptionStatus {
  readonly wantedPairs: number;
  /** Pairs the broker acknowledged on the current connection. */
  readonly ackedPairs: number;
  /** Wanted pairs whose REG was rejected and waits for a retry. */
  readonly rejectedPairs: number;
  readonly lastRejection: { readonly code: string; readonly message: string } | null;
  /** Symbols the universe or the item budget left out. */
  readonly leftOut: number;
}

export interface ConnectionStatus {
  readonly phase: ConnectionPhase;
  readonly since: number;
  readonly attempt: number;
  readonly reconnects: number;
  readonly duplicateLogins: number;
  readonly nextRetryInMs: number | null;
  readonly lastError: LastError | null;
  readonly wantedPairs: number;
  readonly subscriptions: SubscriptionStatus;
}

/** Counters of the subscription layer, for /metrics. */
export interface SubscriptionStats {
  /** REAL entries for symbols never wanted (or removed long ago): dropped, warned. */
  unregisteredEntries: number;
  /** REAL entries for symbols removed moments ago (the broker's stream before our REMOVE lands): dropped quietly. */
  lateEntries: number;
  /** Times each acknowledged symbol went silent during the session. */
  readonly symbolSilences: Record<string, number>;
  /** Symbols left out by the item budget (universe priority or the connection's cap), latest count. */
  leftOut: number;
  /** Entries of an item-less registration (1h: every stock's VI) for stocks outside the universe: dropped quietly. */
  outsideUniverse: number;
}

export interface RealtimeConnectionOptions {
  readonly url: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly settings: ConnectionSettings & SubscriptionSettings;
  readonly tokens: TokenSource;
  readonly log: LogSink;
  /** Types registered per universe item. */
  readonly realtimeTypes: readonly string[];
  /** Types registered once with item [""] for the whole market (0s, 1h), from the start; see `splitItemless`. */
  readonly itemlessTypes?: readonly string[];
  readonly regChunkSize: number;
  readonly groupNo: string;
  /** Whether the continuous session is open (silent symbols are reported only then). */
  readonly isSessionOpen?: () => boolean;
  /** Every inbound frame, for the session recording. */
  readonly onRawFrame?: (data: Buffer, tsRecv: number) => void;
  /** Every lifecycle event a socket reports, for the recording and tests. */
  readonly onLifecycle?: (event: SocketEvent) => void;
  /** Every REG/REMOVE sent, for the recording and tests. */
  readonly onRegistrationSent?: (message: RegistrationMessage) => void;
}

export interface RealtimeConnection {
  /** Entries for the universe's symbols (and the item-less types' entries for them). */
  readonly events$: Observable<RealtimeEvent>;
  /** Market-wide entries of an item-less registration that name no stock (0s 장시작시간): never the kernel's. */
  readonly marketWide$: Observable<RealtimeEvent>;
  readonly status$: Observable<ConnectionStatus>;
  readonly stats: RealtimeStats;
  readonly subscriptionStats: SubscriptionStats;
  readonly subscriptions: SubscriptionSet;
  status(): ConnectionStatus;
  /** Applies a universe diff to the wanted set; while live it becomes the minimal REG/REMOVE. */
  applyDiff(diff: { readonly add: readonly string[]; readonly remove: readonly string[]; readonly leftOut?: readonly string[] }): void;
  /** The real-time types every wanted item is registered for (a strategy reload): the pairs' diff is sent as REG/REMOVE on the open socket. */
  setRealtimeTypes(types: readonly string[]): void;
  start(): void;
  /** Stops reconnecting and closes the socket; resolves once it is gone. */
  stop(): Promise<void>;
}

/** Log the first few dropped entries, then one in this many. */
const DROP_LOG_FIRST = 5;
const VENUES: readonly Exchange[] = ['KRX', 'NXT', 'SOR'];
/** After a REMOVE, entries of that symbol may still be on the wire for this long: expected, not a fault. */
const REMOVE_GRACE_MS = 30_000;
const DROP_LOG_EVERY = 1000;

/** The Kiwoom type an event came in (decoded kinds through the one table). */
function wireTypeOf(e: RealtimeEvent): string | undefined {
  return e.kind === 'raw' ? e.type : (WIRE_TYPE as Readonly<Record<string, string>>)[e.kind];
}

export function createRealtimeConnection(options: RealtimeConnectionOptions): RealtimeConnection {
  const { clock, log, settings } = options;
  const events = new Subject<RealtimeEvent>();
  const marketWide = new Subject<RealtimeEvent>();
  const stats = createRealtimeStats();
  const subscriptionStats: SubscriptionStats = { unregisteredEntries: 0, lateEntries: 0, symbolSilences: {}, leftOut: 0, outsideUniverse: 0 };
  const itemlessTypes = new Set(options.itemlessTypes ?? []);
  /** Symbol -> monotonic time of its removal from the wanted set, for REMOVE_GRACE_MS; bounded by the universe's churn. */
  const recentlyRemoved = new Map<string, number>();
  const subscriptions = new SubscriptionSet({
    groupNo: options.groupNo,
    chunkSize: options.regChunkSize,
    maxItems: settings.maxItems,
    retry: { baseMs: settings.regRetryBaseMs, capMs: settings.regRetryCapMs },
    itemlessCountsAsItem: settings.itemlessCountsAsItem ?? true,
  });
  // First, so the universe can never crowd the market-wide pairs out of the item budget.
  if (itemlessTypes.size > 0) subscriptions.add([ITEMLESS], [...itemlessTypes]);
  let lastRejection: { code: string; message: string } | null = null;
  let rejectedAnswer: { trnm: string; pairs: number; retryInMs: number | null } | null = null;
  let leftOutByUniverse = 0;
  let realtimeTypes: readonly string[] = options.realtimeTypes;
  const silence: SymbolSilenceWatch | null =
    settings.silentSymbolMs > 0
      ? createSymbolSilenceWatch({
          clock,
          silentMs: settings.silentSymbolMs,
          // The item-less pairs are not a symbol: 0s speaks only at phase changes, 1h only on a VI.
          ackedItems: () => {
            const items = subscriptions.ackedItems();
            items.delete(ITEMLESS);
            return items;
          },
          isSessionOpen: options.isSessionOpen ?? (() => true),
          onSilent: (symbol, silentForMs) => {
            const n = (subscriptionStats.symbolSilences[symbol] = (subscriptionStats.symbolSilences[symbol] ?? 0) + 1);
            log.warn({ event: 'symbol.silent', code: 'E_WS_SYMBOL_SILENT', symbol, silentForMs, count: n }, `no entry for ${symbol} in ${Math.round(silentForMs / 1000)} s although subscribed`);
          },
        })
      : null;

  const onEvent = (e: RealtimeEvent): void => {
    if (e.symbol === ITEMLESS) {
      if (subscriptions.hasItem(ITEMLESS)) marketWide.next(e);
      else unregistered(e);
      return;
    }
    // The wanted set holds items (`005930`, `005930_AL`): the event's symbol and venue name its item.
    const item = e.venue === undefined ? e.symbol : itemOf(e.symbol, e.venue);
    if (!subscriptions.hasItem(item)) {
      const wire = wireTypeOf(e);
      // An item-less 1h names every stock of the market, under whichever venue item (the real server sends
      // `066310_AL` and `066310`): the universe's stocks go on whatever venue they are subscribed on.
      if (wire !== undefined && itemlessTypes.has(wire) && subscriptions.hasItem(ITEMLESS)) {
        if (!VENUES.some((v) => subscriptions.hasItem(itemOf(e.symbol, v)))) {
          subscriptionStats.outsideUniverse++;
          return;
        }
        events.next(e);
        return;
      }
      const removedAt = recentlyRemoved.get(item);
      if (removedAt !== undefined && clock.monotonic() - removedAt < REMOVE_GRACE_MS) {
        subscriptionStats.lateEntries++;
        return;
      }
      unregistered(e);
      return;
    }
    silence?.entry(item);
    events.next(e);
  };
  function unregistered(e: RealtimeEvent): void {
    const n = ++subscriptionStats.unregisteredEntries;
    if (n <= DROP_LOG_FIRST || n % DROP_LOG_EVERY === 0) log.warn({ code: 'E_WS_UNREGISTERED', symbol: e.symbol, kind: e.kind, count: n }, 'entry for a symbol not subscribed: dropped');
  }

  // One socket at a time: a new socket opens only after the previous one has fully closed.
  let previousClosed: Promise<void> = Promise.resolve();
  const socketActor = fromCallback<SocketCommand>(({ sendBack, receive }) => {
    let socket: RealtimeSocket | null = null;
    let stopped = false;
    const queued: SocketCommand[] = [];
    void previousClosed.then(() => {
      if (stopped) return;
      socket = new RealtimeSocket({
        url: options.url,
        clock,
        subscriptions,
        stats,
        log,
        onEvent,
        onLifecycle: (e) => {
          if (e.type !== 'activity') options.onLifecycle?.(e);
          if (!stopped) sendBack(e);
        },
        // Settled before the machine hears of it: the `registration.rejected` notice below logs these details.
        onRegistrationAnswer: (answer, outcome) => {
          if (outcome.ok) return;
          lastRejection = { code: outcome.code, message: outcome.message };
          rejectedAnswer = { trnm: answer.message.trnm, pairs: answer.pairs.length, retryInMs: answer.retryAt === undefined ? null : Math.max(0, answer.retryAt - clock.monotonic()) };
        },
        activityIntervalMs: Math.max(1, Math.min(1_000, Math.floor(settings.watchdogMs / 4))),
        regIntervalMs: settings.regIntervalMs,
        ...(options.onRawFrame ? { onRawFrame: options.onRawFrame } : {}),
        ...(options.onRegistrationSent ? { onRegistrationSent: options.onRegistrationSent } : {}),
      });
      for (const cmd of queued.splice(0)) socket.handle(cmd);
    });
    receive((cmd) => (socket ? socket.handle(cmd) : queued.push(cmd)));
    return () => {
      stopped = true;
      if (socket) previousClosed = socket.close();
    };
  });

  const machine = withConnectionPorts({ random: options.random, monotonic: () => clock.monotonic() }).provide({
    actors: {
      fetchToken: fromPromise(() => options.tokens.getToken()),
      socket: socketActor,
    },
    actions: {
      invalidateToken: (_, params) => {
        if (params.token) options.tokens.invalidate(params.token, 'login-failed');
      },
    },
  });
  const actor = createActor(machine, { clock, input: { settings } });
  actor.on('connection.backoff', (e) => log.warn({ event: e.type, delayMs: e.delayMs, attempt: e.attempt, code: e.code, reason: e.reason }, `reconnecting in ${e.delayMs} ms`));
  actor.on('connection.failed', (e) => log.error({ event: e.type, code: e.code, reason: e.reason, retryInMs: e.retryInMs }, 'real-time connection failed: credentials rejected'));
  actor.on('registration.rejected', (e) =>
    log.warn({ event: e.type, code: 'E_WS_REG_REJECTED', returnCode: e.returnCode, message: e.message, ...rejectedAnswer }, `${rejectedAnswer?.trnm ?? 'REG'} rejected: ${e.returnCode} ${e.message}`),
  );
  // Live means every REG was answered: the acknowledged count is what the broker holds.
  actor.on('connection.live', (e) => {
    const acked = subscriptions.ackedCount;
    const wanted = subscriptions.wantedCount;
    log.info({ event: e.type, pairs: acked, wanted }, acked === wanted ? `subscribed ${acked} pairs` : `subscribed ${acked} of ${wanted} pairs`);
  });

  const subscriptionStatus = (): SubscriptionStatus => ({
    wantedPairs: subscriptions.wantedCount,
    ackedPairs: subscriptions.ackedCount,
    rejectedPairs: subscriptions.rejectedPairs().length,
    lastRejection,
    leftOut: subscriptionStats.leftOut,
  });
  const toStatus = (snapshot: SnapshotFrom<typeof machine>, since: number): ConnectionStatus => {
    const ctx = snapshot.context;
    const phase = phaseOf(snapshot);
    return {
      phase,
      since,
      attempt: ctx.attempt,
      reconnects: ctx.reconnects,
      duplicateLogins: ctx.duplicateLogins,
      nextRetryInMs: snapshot.hasTag('backoff') ? ctx.nextDelayMs : snapshot.hasTag('failed') ? ctx.settings.credentialsRetryMs : null,
      lastError: ctx.lastError,
      wantedPairs: subscriptions.wantedCount,
      subscriptions: subscriptionStatus(),
    };
  };
  const status = new BehaviorSubject<ConnectionStatus>(toStatus(actor.getSnapshot(), clock.now()));
  actor.subscribe({
    next: (snapshot) => {
      const prev = status.getValue();
      const phase = phaseOf(snapshot);
      const next = toStatus(snapshot, phase === prev.phase ? prev.since : clock.now());
      if (phase !== prev.phase) log.debug({ from: prev.phase, to: phase }, 'connection state');
      status.next(next);
    },
    error: (err) => log.error({ code: 'E_INVARIANT', err: String(err) }, 'connection machine crashed'),
  });
  actor.start();
  silence?.start();

  return {
    events$: events.asObservable(),
    marketWide$: marketWide.asObservable(),
    status$: status.asObservable(),
    stats,
    subscriptionStats,
    subscriptions,
    // Counts move between snapshots (acks, rejections): the status is read fresh, the phase's `since` kept.
    status: () => ({ ...status.getValue(), wantedPairs: subscriptions.wantedCount, subscriptions: subscriptionStatus() }),
    applyDiff: (diff) => {
      const now = clock.monotonic();
      for (const [symbol, at] of recentlyRemoved) if (now - at >= REMOVE_GRACE_MS) recentlyRemoved.delete(symbol);
      for (const symbol of diff.remove) recentlyRemoved.set(symbol, now);
      for (const symbol of diff.add) recentlyRemoved.delete(symbol);
      const removed = subscriptions.remove(diff.remove);
      const added = subscriptions.add(diff.add, realtimeTypes);
      if (diff.leftOut !== undefined) leftOutByUniverse = diff.leftOut.length;
      const refused = subscriptions.refusedItems();
      const before = subscriptionStats.leftOut;
      subscriptionStats.leftOut = leftOutByUniverse + refused.length;
      if (subscriptionStats.leftOut !== before && subscriptionStats.leftOut > 0) {
        log.warn(
          { event: 'universe.over-budget', code: 'E_WS_ITEM_BUDGET', maxItems: settings.maxItems, kept: subscriptions.wantedItems().length, leftOut: subscriptionStats.leftOut, sample: [...(diff.leftOut ?? []), ...refused].slice(0, 10) },
          `universe over the item budget: ${subscriptionStats.leftOut} symbols left out`,
        );
      }
      if (added + removed > 0) actor.send({ type: 'wanted.changed' });
    },
    setRealtimeTypes: (types) => {
      const items = subscriptions.wantedItems().filter((item) => item !== ITEMLESS);
      const added = subscriptions.add(items, types.filter((t) => !realtimeTypes.includes(t)));
      const removed = subscriptions.remove(items, realtimeTypes.filter((t) => !types.includes(t)));
      realtimeTypes = [...types];
      if (added + removed > 0) actor.send({ type: 'wanted.changed' });
    },
    start: () => actor.send({ type: 'start' }),
    stop: async () => {
      silence?.stop();
      actor.send({ type: 'stop' });
      await previousClosed;
      events.complete();
      marketWide.complete();
      status.complete();
    },
  };
}

/** The phase is the one phase tag the current state carries. */
function phaseOf(snapshot: { hasTag(tag: string): boolean }): ConnectionPhase {
  return CONNECTION_PHASES.find((p) => snapshot.hasTag(p)) ?? 'disconnected';
}
