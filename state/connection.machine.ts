import { assign, fromCallback, fromPromise, sendTo, setup } from 'xstate';
import type { ErrorCode } from '../src/core/errors.js';
import type { Random } from '../src/core/random.js';
import type { SocketCommand, SocketEvent } from '../src/core/realtime-socket.js';

/**
 * The lifecycle of Kiwoom's real-time WebSocket:
 * disconnected -> connecting (token) -> open.opening -> open.authenticating (LOGIN, ack with timeout)
 * -> open.subscribing (REG the wanted set in chunks, wait for every ack) -> open.live -> backoff -> connecting ...
 *
 * The socket is an invoked actor of `open`: leaving `open` stops it and so closes the socket before a
 * new one can open. Market frames never pass through here: the socket actor pushes them to a stream
 * and sends the machine lifecycle events only (opened, closed, login, acks, throttled activity).
 */
export interface ConnectionSettings {
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  /** Live this long and the attempt counter resets. */
  readonly stableResetMs: number;
  readonly maxAttemptsPerMinute: number;
  readonly loginTimeoutMs: number;
  readonly regAckTimeoutMs: number;
  readonly watchdogMs: number;
  readonly duplicateLoginBackoffMs: number;
}

export interface ConnectionInput {
  readonly settings: ConnectionSettings;
  /** Seeded: the jitter of a replay is the jitter of the live run. */
  readonly random: Random;
  /** The actor's clock (the same Clock passed to createActor). */
  readonly now: () => number;
}

export type { SocketCommand, SocketEvent };

export type ConnectionEvent =
  | SocketEvent
  | { type: 'start' }
  | { type: 'stop' }
  /** The wanted subscription set changed: sync it while live. */
  | { type: 'wanted.changed' };

export interface LastError {
  readonly code: ErrorCode;
  readonly message: string;
}

export interface ConnectionContext {
  readonly settings: ConnectionSettings;
  readonly random: Random;
  readonly now: () => number;
  token: string | null;
  /** Consecutive failed attempts since the last stable live period. */
  attempt: number;
  /** Clock times of recent connection attempts (the per-minute budget). */
  attemptTimes: number[];
  pendingAcks: number;
  regReported: boolean;
  nextDelayMs: number;
  lastError: LastError | null;
  /** Counters for metrics. */
  reconnects: number;
  duplicateLogins: number;
  budgetWaits: number;
}

/** Full jitter: uniform in [0, min(cap, base * 2^attempt)). */
export function backoffDelay(settings: ConnectionSettings, attempt: number, draw: number): number {
  const ceiling = Math.min(settings.backoffCapMs, settings.backoffBaseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(draw * ceiling);
}

/** How long until another attempt fits in the per-minute budget (0 if it fits now). */
export function budgetWait(attemptTimes: readonly number[], now: number, maxPerMinute: number): number {
  const recent = attemptTimes.filter((t) => t > now - 60_000);
  if (recent.length < maxPerMinute) return 0;
  const mustAgeOut = recent[recent.length - maxPerMinute] as number;
  return mustAgeOut + 60_000 - now;
}

export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionEvent,
    input: {} as ConnectionInput,
  },
  actors: {
    /** Resolves to a valid access token (the token machine, single flight). */
    fetchToken: fromPromise<string>(async () => {
      throw new Error('fetchToken not provided');
    }),
    /** Opens one socket; handles PING echo, REAL frames and REG plans; reports lifecycle events. */
    socket: fromCallback<SocketCommand>(() => {
      throw new Error('socket not provided');
    }),
  },
  actions: {
    /** The token was rejected by LOGIN: tell the token machine so the next attempt gets a fresh one. */
    invalidateToken: (_, _params: { token: string | null }) => undefined,
    /** Remembers why the connection left a state (for the log line, metrics and health). */
    fail: assign((_, params: LastError) => ({ lastError: params })),
    /** A lifecycle change worth a log line and a metric. */
    notify: (_, _params: { event: string; detail?: Record<string, unknown> }) => undefined,
  },
  guards: {
    fatalAuth: ({ event }) => {
      const err = (event as { error?: { code?: string } }).error;
      return err?.code === 'E_AUTH_CREDENTIALS';
    },
    allAcked: ({ context }) => context.regReported && context.pendingAcks <= 0,
  },
  delays: {
    backoff: ({ context }) => context.nextDelayMs,
    loginTimeout: ({ context }) => context.settings.loginTimeoutMs,
    regAckTimeout: ({ context }) => context.settings.regAckTimeoutMs,
    watchdog: ({ context }) => context.settings.watchdogMs,
    stableReset: ({ context }) => context.settings.stableResetMs,
  },
}).createMachine({
  id: 'connection',
  initial: 'disconnected',
  context: ({ input }) => ({
    settings: input.settings,
    random: input.random,
    now: input.now,
    token: null,
    attempt: 0,
    attemptTimes: [],
    pendingAcks: 0,
    regReported: false,
    nextDelayMs: 0,
    lastError: null,
    reconnects: 0,
    duplicateLogins: 0,
    budgetWaits: 0,
  }),
  on: {
    stop: '.closed',
  },
  states: {
    disconnected: {
      on: { start: 'connecting' },
    },
    connecting: {
      entry: assign({
        attemptTimes: ({ context }) => [...context.attemptTimes.filter((t) => t > context.now() - 60_000), context.now()],
      }),
      invoke: {
        src: 'fetchToken',
        onDone: { target: 'open', actions: assign({ token: ({ event }) => event.output }) },
        onError: [
          { guard: 'fatalAuth', target: 'failed', actions: { type: 'fail', params: { code: 'E_AUTH_CREDENTIALS', message: 'credentials rejected: fix KIWOOM_APPKEY/KIWOOM_SECRETKEY' } } },
          {
            target: 'backoff',
            actions: assign({
              lastError: ({ event }) => ({ code: 'E_AUTH_TOKEN' as const, message: `no token: ${String((event.error as Error)?.message ?? event.error)}` }),
            }),
          },
        ],
      },
    },
    open: {
      invoke: { id: 'socket', src: 'socket' },
      on: {
        'socket.closed': {
          target: 'backoff',
          actions: assign({ lastError: ({ event }) => ({ code: 'E_WS_CLOSED' as const, message: `socket closed (${event.code}${event.reason ? ` ${event.reason}` : ''})` }) }),
        },
        'socket.error': {
          target: 'backoff',
          actions: assign({ lastError: ({ event }) => ({ code: 'E_NETWORK' as const, message: event.message }) }),
        },
        'system.duplicate': {
          target: 'backoff',
          actions: [
            assign({
              lastError: ({ event }) => ({ code: 'E_WS_DUPLICATE_LOGIN' as const, message: `${event.code}: ${event.message}` }),
              duplicateLogins: ({ context }) => context.duplicateLogins + 1,
            }),
          ],
        },
      },
      initial: 'opening',
      states: {
        opening: {
          on: { 'socket.opened': 'authenticating' },
          after: { loginTimeout: { target: '#connection.backoff', actions: { type: 'fail', params: { code: 'E_TIMEOUT', message: 'the socket did not open in time' } } } },
        },
        authenticating: {
          entry: sendTo('socket', ({ context }): SocketCommand => ({ type: 'login', token: context.token ?? '' })),
          on: {
            'login.ok': 'subscribing',
            'login.failed': {
              target: '#connection.backoff',
              actions: [
                assign({ lastError: ({ event }) => ({ code: event.tokenRejected ? ('E_AUTH_TOKEN' as const) : ('E_BROKER_REJECT' as const), message: `LOGIN failed: ${event.returnCode} ${event.message}` }) }),
                { type: 'invalidateToken', params: ({ context, event }) => ({ token: event.tokenRejected ? context.token : null }) },
              ],
            },
          },
          after: { loginTimeout: { target: '#connection.backoff', actions: { type: 'fail', params: { code: 'E_WS_LOGIN_TIMEOUT', message: 'no LOGIN acknowledgement in time' } } } },
        },
        subscribing: {
          entry: [assign({ pendingAcks: 0, regReported: false }), sendTo('socket', { type: 'sync' } satisfies SocketCommand)],
          always: { guard: 'allAcked', target: 'live' },
          on: {
            'reg.sent': { actions: assign({ pendingAcks: ({ context, event }) => context.pendingAcks + event.messages, regReported: true }) },
            'reg.ack': { actions: assign({ pendingAcks: ({ context }) => context.pendingAcks - 1 }) },
            // A rejected REG (e.g. an unknown code) still answers its message: retrying the same set would loop.
            'reg.rejected': {
              actions: [
                assign({
                  pendingAcks: ({ context }) => context.pendingAcks - 1,
                  lastError: ({ event }) => ({ code: 'E_WS_REG_REJECTED' as const, message: `REG rejected: ${event.returnCode} ${event.message}` }),
                }),
                { type: 'notify', params: ({ event }) => ({ event: 'registration.rejected', detail: { returnCode: event.returnCode, message: event.message } }) },
              ],
            },
          },
          after: { regAckTimeout: { target: '#connection.backoff', actions: { type: 'fail', params: { code: 'E_TIMEOUT', message: 'REG acknowledgements did not all arrive in time' } } } },
        },
        live: {
          // Changes that arrived while subscribing are synced on entry; later ones as they come.
          entry: [sendTo('socket', { type: 'sync' } satisfies SocketCommand), { type: 'notify', params: { event: 'connection.live' } }],
          on: {
            'wanted.changed': { actions: sendTo('socket', { type: 'sync' } satisfies SocketCommand) },
            'reg.rejected': {
              actions: [
                assign({ lastError: ({ event }) => ({ code: 'E_WS_REG_REJECTED' as const, message: `REG rejected: ${event.returnCode} ${event.message}` }) }),
                { type: 'notify', params: ({ event }) => ({ event: 'registration.rejected', detail: { returnCode: event.returnCode, message: event.message } }) },
              ],
            },
          },
          after: { stableReset: { actions: assign({ attempt: 0 }) } },
          initial: 'watching',
          states: {
            watching: {
              on: { activity: { target: 'watching', reenter: true } },
              after: { watchdog: { target: '#connection.backoff', actions: { type: 'fail', params: { code: 'E_WS_WATCHDOG', message: 'no frame at all within the watchdog time' } } } },
            },
          },
        },
      },
    },
    backoff: {
      entry: [
        assign(({ context }) => {
          const now = context.now();
          const duplicate = context.lastError?.code === 'E_WS_DUPLICATE_LOGIN';
          const jitter = duplicate ? context.settings.duplicateLoginBackoffMs : backoffDelay(context.settings, context.attempt, context.random.next());
          const wait = budgetWait(context.attemptTimes, now + jitter, context.settings.maxAttemptsPerMinute);
          return {
            nextDelayMs: jitter + wait,
            attempt: context.attempt + 1,
            reconnects: context.reconnects + 1,
            budgetWaits: context.budgetWaits + (wait > 0 ? 1 : 0),
          };
        }),
        { type: 'notify', params: ({ context }) => ({ event: 'connection.backoff', detail: { delayMs: context.nextDelayMs, attempt: context.attempt, code: context.lastError?.code, reason: context.lastError?.message } }) },
      ],
      after: { backoff: 'connecting' },
    },
    failed: {
      entry: { type: 'notify', params: ({ context }) => ({ event: 'connection.failed', detail: { code: context.lastError?.code, reason: context.lastError?.message } }) },
      on: { start: 'connecting' },
    },
    closed: {
      type: 'final',
    },
  },
});

export type ConnectionMachine = typeof connectionMachine;
