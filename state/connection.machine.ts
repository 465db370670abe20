import { assertEvent, assign, emit, fromCallback, fromPromise, raise, sendTo, setup } from 'xstate';
import { budgetWait, fullJitter } from '../src/core/backoff.js';
import type { ConnectionPhase } from '../src/core/connection-phase.js';
import { isKrxError, type ErrorCode } from '../src/core/errors.js';
import type { Random } from '../src/core/random.js';
import type { SocketCommand, SocketEvent } from '../src/core/realtime-socket.js';

/**
 * The lifecycle of Kiwoom's real-time WebSocket:
 * disconnected -> connecting (token) -> open.opening -> open.authenticating (LOGIN, ack with timeout)
 * -> open.subscribing (REG the wanted set, wait for every answer) -> open.live -> backoff -> connecting ...
 *
 * Every state carries one phase tag (src/core/connection-phase.ts); `connected` and `retrying` tag
 * what the app acts on. The socket is an invoked actor of `open`: leaving `open` stops it and so
 * closes the socket before a new one can open. Market frames never pass through here. Lifecycle news
 * leaves as typed emitted events (`actor.on('connection.backoff', ...)`).
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
  /** Longest wait for a token before the attempt counts as failed. */
  readonly tokenTimeoutMs: number;
  /** After rejected credentials, ask the token source again this often (it backs off on its own). */
  readonly credentialsRetryMs: number;
}

export interface ConnectionInput {
  readonly settings: ConnectionSettings;
}

/** The clock and the seeded Random, bound by `withConnectionPorts` (never held in context). */
export interface ConnectionPorts {
  /** Seeded: the jitter of a replay is the jitter of the live run. */
  readonly random: Random;
  /** Monotonic milliseconds (Clock.monotonic): attempt budgets must not jump with NTP. */
  readonly monotonic: () => number;
}

export type { SocketCommand, SocketEvent };

export type ConnectionEvent =
  | SocketEvent
  | { type: 'start' }
  | { type: 'stop' }
  /** The wanted subscription set changed: sync it while live. */
  | { type: 'wanted.changed' }
  /** Raised on each REG/REMOVE answer: the broker is still answering (paced REGs take a while). */
  | { type: 'reg.progress' };

export interface LastError {
  readonly code: ErrorCode;
  readonly message: string;
}

/** News for logs, metrics and tests; listened to with `actor.on(type, ...)`. */
export type ConnectionNotice =
  | { type: 'connection.backoff'; delayMs: number; attempt: number; code: ErrorCode | undefined; reason: string | undefined }
  | { type: 'connection.live' }
  | { type: 'connection.failed'; code: ErrorCode | undefined; reason: string | undefined; retryInMs: number }
  | { type: 'registration.rejected'; returnCode: string; message: string };

export interface ConnectionContext {
  readonly settings: ConnectionSettings;
  token: string | null;
  /** Consecutive failed attempts since the last stable live period. */
  attempt: number;
  /** Monotonic times of recent connection attempts (the per-minute budget). */
  attemptTimes: number[];
  pendingAcks: number;
  regReported: boolean;
  nextDelayMs: number;
  lastError: LastError | null;
  /** Counters for metrics. */
  reconnects: number;
  duplicateLogins: number;
  budgetWaits: number;
  regRejections: number;
}

/** Full jitter (src/core/backoff.ts) over the connection's policy. */
export function backoffDelay(settings: ConnectionSettings, attempt: number, draw: number): number {
  return fullJitter({ baseMs: settings.backoffBaseMs, capMs: settings.backoffCapMs }, attempt, draw);
}

/** The next wait: a long fixed one after a duplicate login, else jitter, pushed out to fit the budget. */
export function planBackoff(context: ConnectionContext, draw: number, now: number): Partial<ConnectionContext> {
  const duplicate = context.lastError?.code === 'E_WS_DUPLICATE_LOGIN';
  const jitter = duplicate ? context.settings.duplicateLoginBackoffMs : backoffDelay(context.settings, context.attempt, draw);
  const wait = budgetWait(context.attemptTimes, now + jitter, context.settings.maxAttemptsPerMinute);
  return {
    nextDelayMs: jitter + wait,
    attempt: context.attempt + 1,
    reconnects: context.reconnects + 1,
    budgetWaits: context.budgetWaits + (wait > 0 ? 1 : 0),
  };
}

const phase = (p: ConnectionPhase): ConnectionPhase => p;
const sync: SocketCommand = { type: 'sync' };

export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionEvent,
    input: {} as ConnectionInput,
    emitted: {} as ConnectionNotice,
    tags: {} as ConnectionPhase | 'connected' | 'retrying',
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
    /** Records a connection attempt at monotonic time (bound by withConnectionPorts). */
    noteAttempt: () => {
      throw new Error('noteAttempt needs the clock: use withConnectionPorts()');
    },
    /** Draws the next backoff wait (bound by withConnectionPorts). */
    planBackoff: () => {
      throw new Error('planBackoff needs the clock and Random: use withConnectionPorts()');
    },
    /** The token was rejected by LOGIN: tell the token machine so the next attempt gets a fresh one. */
    invalidateToken: (_, _params: { token: string | null }) => undefined,
    /** Remembers why the connection left a state (for the log line, metrics and health). */
    fail: assign((_, params: LastError) => ({ lastError: params })),
    keepToken: assign((_, params: { token: string }) => ({ token: params.token })),
    resetAcks: assign({ pendingAcks: 0, regReported: false }),
    countSent: assign(({ context, event }) => {
      assertEvent(event, 'reg.sent');
      return { pendingAcks: context.pendingAcks + event.messages, regReported: true };
    }),
    countAnswer: assign({ pendingAcks: ({ context }) => context.pendingAcks - 1 }),
    progress: raise({ type: 'reg.progress' }),
    countRejection: assign({ regRejections: ({ context }) => context.regRejections + 1 }),
    countDuplicate: assign({ duplicateLogins: ({ context }) => context.duplicateLogins + 1 }),
    resetAttempts: assign({ attempt: 0 }),
    login: sendTo('socket', ({ context }): SocketCommand => ({ type: 'login', token: context.token ?? '' })),
    sync: sendTo('socket', sync),
    announceBackoff: emit(({ context }) => ({
      type: 'connection.backoff' as const,
      delayMs: context.nextDelayMs,
      attempt: context.attempt,
      code: context.lastError?.code,
      reason: context.lastError?.message,
    })),
    announceLive: emit({ type: 'connection.live' as const }),
    announceFailed: emit(({ context }) => ({
      type: 'connection.failed' as const,
      code: context.lastError?.code,
      reason: context.lastError?.message,
      retryInMs: context.settings.credentialsRetryMs,
    })),
    announceRejection: emit(({ event }) => {
      assertEvent(event, 'reg.rejected');
      return { type: 'registration.rejected' as const, returnCode: event.returnCode, message: event.message };
    }),
  },
  guards: {
    /** Bad app key or secret, unregistered IP or device, real/mock mismatch: retrying soon cannot help. */
    fatalAuth: (_, params: { error: unknown }) => isKrxError(params.error) && NEEDS_OPERATOR.has(params.error.code),
    allAcked: ({ context }) => context.regReported && context.pendingAcks <= 0,
  },
  delays: {
    backoff: ({ context }) => context.nextDelayMs,
    tokenTimeout: ({ context }) => context.settings.tokenTimeoutMs,
    credentialsRetry: ({ context }) => context.settings.credentialsRetryMs,
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
    regRejections: 0,
  }),
  on: {
    stop: '.closed',
  },
  states: {
    disconnected: {
      tags: [phase('disconnected')],
      on: { start: 'connecting' },
    },
    connecting: {
      tags: [phase('connecting')],
      entry: 'noteAttempt',
      invoke: {
        src: 'fetchToken',
        onDone: { target: 'open', actions: { type: 'keepToken', params: ({ event }) => ({ token: event.output }) } },
        onError: [
          {
            guard: { type: 'fatalAuth', params: ({ event }) => ({ error: event.error }) },
            target: 'failed',
            actions: { type: 'fail', params: ({ event }) => ({ code: operatorCode(event.error), message: `credentials rejected: fix KIWOOM_APPKEY/KIWOOM_SECRETKEY (${errorText(event.error)})` }) },
          },
          { target: 'backoff', actions: { type: 'fail', params: ({ event }) => ({ code: tokenErrorCode(event.error), message: `no token: ${errorText(event.error)}` }) } },
        ],
      },
      after: { tokenTimeout: { target: 'backoff', actions: { type: 'fail', params: { code: 'E_TIMEOUT', message: 'no token in time' } } } },
    },
    open: {
      invoke: { id: 'socket', src: 'socket' },
      on: {
        'socket.closed': { target: 'backoff', actions: { type: 'fail', params: ({ event }) => ({ code: 'E_WS_CLOSED', message: `socket closed (${event.code}${event.reason ? ` ${event.reason}` : ''})` }) } },
        'socket.error': { target: 'backoff', actions: { type: 'fail', params: ({ event }) => ({ code: 'E_NETWORK', message: event.message }) } },
        'system.duplicate': {
          target: 'backoff',
          actions: [{ type: 'fail', params: ({ event }) => ({ code: 'E_WS_DUPLICATE_LOGIN', message: `${event.code}: ${event.message}` }) }, 'countDuplicate'],
        },
        'reg.sent': { actions: 'countSent' },
        'reg.ack': { actions: ['countAnswer', 'progress'] },
        // A rejected REG still answers its message; the socket retries its pairs with backoff where the code allows.
        'reg.rejected': {
          actions: ['countAnswer', 'progress', 'countRejection', { type: 'fail', params: ({ event }) => ({ code: 'E_WS_REG_REJECTED', message: `REG rejected: ${event.returnCode} ${event.message}` }) }, 'announceRejection'],
        },
      },
      initial: 'opening',
      states: {
        opening: {
          tags: [phase('opening')],
          on: { 'socket.opened': 'authenticating' },
          after: { loginTimeout: { target: '#connection.backoff', actions: { type: 'fail', params: { code: 'E_TIMEOUT', message: 'the socket did not open in time' } } } },
        },
        authenticating: {
          tags: [phase('authenticating')],
          entry: 'login',
          on: {
            'login.ok': 'subscribing',
            'login.failed': {
              target: '#connection.backoff',
              actions: [
                { type: 'fail', params: ({ event }) => ({ code: event.tokenRejected ? 'E_AUTH_TOKEN' : 'E_BROKER_REJECT', message: `LOGIN failed: ${event.returnCode} ${event.message}` }) },
                { type: 'invalidateToken', params: ({ context, event }) => ({ token: event.tokenRejected ? context.token : null }) },
              ],
            },
          },
          after: { loginTimeout: { target: '#connection.backoff', actions: { type: 'fail', params: { code: 'E_WS_LOGIN_TIMEOUT', message: 'no LOGIN acknowledgement in time' } } } },
        },
        subscribing: {
          tags: [phase('subscribing')],
          entry: ['resetAcks', 'sync'],
          always: { guard: 'allAcked', target: 'live' },
          initial: 'awaiting',
          states: {
            // The timeout counts from the last answer: paced REGs of a large set take longer than one timeout.
            awaiting: {
              tags: [phase('subscribing')],
              on: { 'reg.progress': { target: 'awaiting', reenter: true } },
              after: { regAckTimeout: { target: '#connection.backoff', actions: { type: 'fail', params: { code: 'E_TIMEOUT', message: 'no REG answer in time' } } } },
            },
          },
        },
        live: {
          tags: [phase('live'), 'connected'],
          // Changes that arrived while subscribing are synced on entry; later ones as they come.
          entry: ['sync', 'announceLive'],
          on: { 'wanted.changed': { actions: 'sync' } },
          after: { stableReset: { actions: 'resetAttempts' } },
          initial: 'watching',
          states: {
            watching: {
              tags: [phase('live'), 'connected'],
              on: { activity: { target: 'watching', reenter: true } },
              after: { watchdog: { target: '#connection.backoff', actions: { type: 'fail', params: { code: 'E_WS_WATCHDOG', message: 'no frame at all within the watchdog time' } } } },
            },
          },
        },
      },
    },
    backoff: {
      tags: [phase('backoff'), 'retrying'],
      entry: ['planBackoff', 'announceBackoff'],
      after: { backoff: 'connecting' },
    },
    /** Credentials rejected: the token source retries on its own long schedule; ask it again now and then. */
    failed: {
      tags: [phase('failed'), 'retrying'],
      entry: 'announceFailed',
      on: { start: 'connecting' },
      after: { credentialsRetry: 'connecting' },
    },
    closed: {
      tags: [phase('closed')],
      type: 'final',
    },
  },
});

export type ConnectionMachine = typeof connectionMachine;

/**
 * Binds the clock and the seeded Random to the two actions that need them; context stays data.
 *
 * @example
 * const machine = withConnectionPorts({ random, monotonic: () => clock.monotonic() }).provide({ actors: { fetchToken, socket } });
 */
export function withConnectionPorts(ports: ConnectionPorts, machine: ConnectionMachine = connectionMachine): ConnectionMachine {
  return machine.provide({
    actions: {
      noteAttempt: assign(({ context }) => {
        const now = ports.monotonic();
        return { attemptTimes: [...context.attemptTimes.filter((t) => t > now - 60_000), now] };
      }),
      planBackoff: assign(({ context }) => planBackoff(context, ports.random.next(), ports.monotonic())),
    },
  });
}

/** Token errors only an operator can fix (the token source retries them on its long backoff). */
const NEEDS_OPERATOR: ReadonlySet<string> = new Set<ErrorCode>(['E_AUTH_CREDENTIALS', 'E_AUTH_DEVICE', 'E_AUTH_MODE']);

function operatorCode(err: unknown): ErrorCode {
  return isKrxError(err) && NEEDS_OPERATOR.has(err.code) ? err.code : 'E_AUTH_CREDENTIALS';
}

function tokenErrorCode(err: unknown): ErrorCode {
  return isKrxError(err) && err.code === 'E_TIMEOUT' ? 'E_TIMEOUT' : 'E_AUTH_TOKEN';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
