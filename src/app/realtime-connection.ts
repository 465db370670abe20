import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import { createActor, fromCallback, fromPromise, type SnapshotFrom } from 'xstate';
import { createRealtimeStats, RealtimeSocket, type RealtimeStats } from '../adapters/kiwoom/realtime-socket.js';
import type { Clock } from '../core/clock.js';
import type { RealtimeEvent } from '../core/market.js';
import type { LogSink } from '../core/ports/log-sink.js';
import type { TokenSource } from '../core/ports/token-source.js';
import type { Random } from '../core/random.js';
import type { SocketCommand, SocketEvent } from '../core/realtime-socket.js';
import { SubscriptionSet, type RegistrationMessage } from '../core/subscription-set.js';
import { connectionMachine, type ConnectionSettings, type LastError } from '../../state/connection.machine.js';

/**
 * The bridge between the connection machine (lifecycle) and the socket adapter (data): the only
 * place they meet. Market events flow through a Subject, never through machine context.
 */
export type ConnectionPhase = 'disconnected' | 'connecting' | 'opening' | 'authenticating' | 'subscribing' | 'live' | 'backoff' | 'failed' | 'closed';

export interface ConnectionStatus {
  readonly phase: ConnectionPhase;
  readonly since: number;
  readonly attempt: number;
  readonly reconnects: number;
  readonly duplicateLogins: number;
  readonly nextRetryInMs: number | null;
  readonly lastError: LastError | null;
  readonly wantedPairs: number;
}

export interface RealtimeConnectionOptions {
  readonly url: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly settings: ConnectionSettings;
  readonly tokens: TokenSource;
  readonly log: LogSink;
  readonly realtimeTypes: readonly string[];
  readonly regChunkSize: number;
  readonly groupNo: string;
  /** Every inbound frame, for the session recording. */
  readonly onRawFrame?: (data: Buffer, tsRecv: number) => void;
  /** Every lifecycle event a socket reports, for the recording and tests. */
  readonly onLifecycle?: (event: SocketEvent) => void;
  /** Every REG/REMOVE sent, for the recording and tests. */
  readonly onRegistrationSent?: (message: RegistrationMessage) => void;
}

export interface RealtimeConnection {
  readonly events$: Observable<RealtimeEvent>;
  readonly status$: Observable<ConnectionStatus>;
  readonly stats: RealtimeStats;
  readonly subscriptions: SubscriptionSet;
  status(): ConnectionStatus;
  /** Applies a universe diff to the wanted set; while live it becomes the minimal REG/REMOVE. */
  applyDiff(diff: { readonly add: readonly string[]; readonly remove: readonly string[] }): void;
  start(): void;
  /** Stops reconnecting and closes the socket; resolves once it is gone. */
  stop(): Promise<void>;
}

export function createRealtimeConnection(options: RealtimeConnectionOptions): RealtimeConnection {
  const { clock, log } = options;
  const events = new Subject<RealtimeEvent>();
  const stats = createRealtimeStats();
  const subscriptions = new SubscriptionSet(options.groupNo, options.regChunkSize);
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
        onEvent: (e) => events.next(e),
        onLifecycle: (e) => {
          if (e.type !== 'activity') options.onLifecycle?.(e);
          if (!stopped) sendBack(e);
        },
        activityIntervalMs: Math.max(1, Math.min(1_000, Math.floor(options.settings.watchdogMs / 4))),
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

  const machine = connectionMachine.provide({
    actors: {
      fetchToken: fromPromise(() => options.tokens.getToken()),
      socket: socketActor,
    },
    actions: {
      invalidateToken: (_, params) => {
        if (params.token) options.tokens.invalidate(params.token, 'login-failed');
      },
      notify: (_, params) => {
        const detail = params.detail ?? {};
        if (params.event === 'connection.backoff') log.warn({ event: params.event, ...detail }, `reconnecting in ${String(detail.delayMs)} ms`);
        else if (params.event === 'connection.failed') log.error({ event: params.event, ...detail }, 'real-time connection failed: not retrying');
        else if (params.event === 'connection.live') log.info({ event: params.event, pairs: subscriptions.wantedCount }, `subscribed ${subscriptions.wantedCount} pairs`);
        else log.warn({ event: params.event, ...detail }, params.event);
      },
    },
  });
  const actor = createActor(machine, {
    clock,
    input: { settings: options.settings, random: options.random, now: () => clock.now() },
  });

  const toStatus = (snapshot: SnapshotFrom<typeof machine>, since: number): ConnectionStatus => {
    const ctx = snapshot.context;
    const phase = phaseOf(snapshot.value);
    return {
      phase,
      since,
      attempt: ctx.attempt,
      reconnects: ctx.reconnects,
      duplicateLogins: ctx.duplicateLogins,
      nextRetryInMs: phase === 'backoff' ? ctx.nextDelayMs : null,
      lastError: ctx.lastError,
      wantedPairs: subscriptions.wantedCount,
    };
  };
  const status = new BehaviorSubject<ConnectionStatus>(toStatus(actor.getSnapshot(), clock.now()));
  actor.subscribe({
    next: (snapshot) => {
      const prev = status.getValue();
      const phase = phaseOf(snapshot.value);
      const next = toStatus(snapshot, phase === prev.phase ? prev.since : clock.now());
      if (phase !== prev.phase) log.debug({ from: prev.phase, to: phase }, 'connection state');
      status.next(next);
    },
    error: (err) => log.error({ code: 'E_INVARIANT', err: String(err) }, 'connection machine crashed'),
  });
  actor.start();

  return {
    events$: events.asObservable(),
    status$: status.asObservable(),
    stats,
    subscriptions,
    status: () => status.getValue(),
    applyDiff: (diff) => {
      const removed = subscriptions.remove(diff.remove);
      const added = subscriptions.add(diff.add, options.realtimeTypes);
      if (added + removed > 0) actor.send({ type: 'wanted.changed' });
    },
    start: () => actor.send({ type: 'start' }),
    stop: async () => {
      actor.send({ type: 'stop' });
      await previousClosed;
      events.complete();
      status.complete();
    },
  };
}

function phaseOf(value: unknown): ConnectionPhase {
  if (typeof value === 'string') return value as ConnectionPhase;
  const open = (value as { open?: unknown }).open;
  if (open === undefined) return 'disconnected';
  if (typeof open === 'string') return open as ConnectionPhase;
  return 'live';
}
