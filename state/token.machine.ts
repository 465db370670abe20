import { assertEvent, assign, fromPromise, setup } from 'xstate';
import { equalJitter, honourHint } from '../src/core/backoff.js';
import type { Clock } from '../src/core/clock.js';
import { errorMessage, isKrxError, TransientError, type ErrorCategory, type ErrorCode } from '../src/core/errors.js';
import type { CachedToken } from '../src/core/ports/token-cache.js';
import type { IssuedToken } from '../src/core/ports/token-issuer.js';
import type { TokenInvalidReason } from '../src/core/ports/token-source.js';
import type { Random } from '../src/core/random.js';

/**
 * The token lifecycle of one broker credential (Kiwoom or KIS: the same machine serves both).
 *
 * idle -> fetching (gate -> requesting -> backoff) -> valid -> fetching (refresh) ... -> failed -> fetching ...
 * - Single flight: only `fetching.requesting` issues; every other request for a token waits for `valid`.
 * - Refresh at expiry minus the margin; expiry is a wall-clock instant (the broker's).
 * - `minIssueIntervalMs` gates issuances (KIS: one a minute) on monotonic time, so an NTP step can
 *   neither freeze the gate nor open it early.
 * - Transient failures back off with equal jitter (src/core/backoff.ts); an issuance that does not
 *   answer within `issueTimeoutMs` counts as one.
 * - Rejected credentials (auth/config/reject categories, e.g. Kiwoom 8001/8002) land in `failed`,
 *   which retries on a long doubling backoff (minutes, capped): an operator may fix the key, and the
 *   composition root decides when to give up (`rejectedSince`).
 * - An invalidation naming a token that is no longer current is ignored (no double refresh).
 * Effects are named actors (`issueToken`, `revokeToken`) provided by the composition root; the clock
 * and the seeded Random reach the guards, delays and actions through `createTokenMachine(ports)`.
 */

/** Longest single timer: setTimeout overflows past 2^31-1 ms (KIS corporate tokens last 3 months). */
const MAX_TIMER_MS = 86_400_000;

export interface TokenPorts {
  /** `now()` for expiry instants, `monotonic()` for the issue gate and durations. */
  readonly clock: Clock;
  readonly random: Random;
}

export interface TokenMachineInput {
  /** Refresh this long before expiry (config tokens.refreshMarginSeconds * 1000). Default 600 000. */
  refreshMarginMs?: number;
  /** Least time between two issuances (KIS: 61 000). Default 0. */
  minIssueIntervalMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** An issuance still unanswered after this long counts as failed. Default 30 000. */
  issueTimeoutMs?: number;
  /** A revocation at shutdown waits at most this long. Default 5 000. */
  revokeTimeoutMs?: number;
  /** Rejected credentials: retry after base, 2 base ... up to cap (equal jitter). Default 60 s to 15 min. */
  credentialsRetryBaseMs?: number;
  credentialsRetryCapMs?: number;
  /** Revoke the current token on `token.shutdown` (config tokens.revokeOnShutdown). */
  revokeOnShutdown?: boolean;
  /** A token found in the cache; adopted only if valid beyond the margin. */
  cached?: CachedToken;
}

export interface TokenFailure {
  code: ErrorCode;
  category: ErrorCategory;
  message: string;
  /** The original error, so callers see the same KrxError. */
  error: unknown;
}

export interface TokenContext {
  readonly marginMs: number;
  readonly minIssueIntervalMs: number;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  readonly issueTimeoutMs: number;
  readonly revokeTimeoutMs: number;
  readonly credentialsRetryBaseMs: number;
  readonly credentialsRetryCapMs: number;
  readonly revokeOnShutdown: boolean;
  cached: CachedToken | undefined;
  token: string | undefined;
  expiresAt: number;
  /** When a refresh starts (wall): expiry minus the margin (or half the lifetime for short-lived tokens). */
  refreshAt: number;
  /** Monotonic time of the last issuance (the issue gate). */
  lastIssuedMono: number;
  /** Consecutive failed issuance attempts. */
  attempt: number;
  retryDelayMs: number;
  issuances: number;
  lastError: TokenFailure | undefined;
  lastInvalidation: TokenInvalidReason | undefined;
  /** Monotonic time the credentials were first rejected in a row, or null. */
  rejectedSince: number | null;
  /** Consecutive rejections of the credentials. */
  rejections: number;
}

export type TokenEvent =
  | { type: 'token.get' }
  | { type: 'token.invalidate'; token: string; reason: TokenInvalidReason }
  | { type: 'token.check' }
  | { type: 'token.shutdown' };

export function toFailure(err: unknown): TokenFailure {
  if (isKrxError(err)) return { code: err.code, category: err.category, message: err.message, error: err };
  // Issuers raise coded errors for everything the broker or the network does: anything else is our bug,
  // logged with a stable code (never 'UNKNOWN') and retried like a transient failure.
  return { code: 'E_INVARIANT', category: 'invariant', message: errorMessage(err), error: err };
}

/** Categories an operator must fix (bad key, wrong mode, unregistered IP): retried only slowly. */
const NEEDS_OPERATOR: ReadonlySet<string> = new Set<ErrorCategory>(['auth', 'config', 'reject']);

/** Expiry minus the margin, but never less than half the remaining lifetime (no refresh loop on short tokens). */
export function refreshAtFor(expiresAt: number, now: number, marginMs: number): number {
  const lifetime = expiresAt - now;
  return expiresAt - Math.min(marginMs, Math.max(0, lifetime / 2));
}

export function createTokenMachine(ports: TokenPorts) {
  const { clock, random } = ports;
  return setup({
    types: {
      context: {} as TokenContext,
      events: {} as TokenEvent,
      input: {} as TokenMachineInput,
      tags: {} as 'issuing' | 'valid' | 'rejected' | 'stopped',
    },
    actors: {
      issueToken: fromPromise<IssuedToken>(async () => {
        throw new Error('issueToken is provided by the composition root');
      }),
      revokeToken: fromPromise<void, { token: string }>(async () => {
        throw new Error('revokeToken is provided by the composition root');
      }),
    },
    guards: {
      cachedUsable: ({ context }) => context.cached !== undefined && context.cached.expiresAt - context.marginMs > clock.now(),
      issueAllowed: ({ context }) => clock.monotonic() >= context.lastIssuedMono + context.minIssueIntervalMs,
      needsOperator: (_, params: { error: unknown }) => isKrxError(params.error) && NEEDS_OPERATOR.has(params.error.category),
      issuedUnusable: (_, params: { issued: IssuedToken }) =>
        !(params.issued.expiresAt > clock.now()) || typeof params.issued.token !== 'string' || params.issued.token === '',
      refreshDue: ({ context }) => clock.now() >= context.refreshAt,
      isCurrentToken: ({ context, event }) => {
        assertEvent(event, 'token.invalidate');
        return event.token === context.token;
      },
      shouldRevoke: ({ context }) => context.revokeOnShutdown && context.token !== undefined,
    },
    actions: {
      /** A cached token's issue time (wall) counts against the issue gate, as monotonic time. */
      noteCachedIssue: assign(({ context }) =>
        context.cached ? { lastIssuedMono: clock.monotonic() - Math.max(0, clock.now() - context.cached.issuedAt) } : {},
      ),
      adoptCached: assign(({ context }) => {
        const c = context.cached as CachedToken;
        return { token: c.token, expiresAt: c.expiresAt, refreshAt: refreshAtFor(c.expiresAt, clock.now(), context.marginMs) };
      }),
      storeToken: assign(({ context }, params: { issued: IssuedToken }) => ({
        token: params.issued.token,
        expiresAt: params.issued.expiresAt,
        refreshAt: refreshAtFor(params.issued.expiresAt, clock.now(), context.marginMs),
        lastIssuedMono: clock.monotonic(),
        attempt: 0,
        issuances: context.issuances + 1,
        lastError: undefined,
        rejectedSince: null,
        rejections: 0,
      })),
      noteIssued: assign(({ context }) => ({ lastIssuedMono: clock.monotonic(), issuances: context.issuances + 1 })),
      /** Equal jitter from the seeded Random; a server's own wait (EGW00133's minute) wins when longer. */
      planRetry: assign(({ context }, params: { error: unknown }) => {
        const failure = toFailure(params.error);
        const attempt = context.attempt + 1;
        const jitter = equalJitter({ baseMs: context.backoffBaseMs, capMs: context.backoffCapMs }, attempt - 1, random.next());
        const hint = isKrxError(failure.error) ? failure.error.details['retryAfterMs'] : undefined;
        return { attempt, retryDelayMs: honourHint(jitter, typeof hint === 'number' ? hint : undefined), lastError: failure };
      }),
      /** Rejected credentials: a long wait, doubling per rejection up to the cap. */
      planCredentialsRetry: assign(({ context }, params: { error: unknown }) => {
        const rejections = context.rejections + 1;
        const policy = { baseMs: context.credentialsRetryBaseMs, capMs: context.credentialsRetryCapMs };
        return {
          token: undefined,
          lastError: toFailure(params.error),
          rejections,
          rejectedSince: context.rejectedSince ?? clock.monotonic(),
          retryDelayMs: equalJitter(policy, rejections - 1, random.next()),
        };
      }),
      dropToken: assign(({ event }) => ({
        token: undefined,
        lastInvalidation: event.type === 'token.invalidate' ? event.reason : ('expired' as const),
      })),
    },
    delays: {
      issueGateDelay: ({ context }) => Math.min(MAX_TIMER_MS, Math.max(0, context.lastIssuedMono + context.minIssueIntervalMs - clock.monotonic())),
      issueTimeout: ({ context }) => context.issueTimeoutMs,
      revokeTimeout: ({ context }) => context.revokeTimeoutMs,
      retryDelay: ({ context }) => context.retryDelayMs,
      refreshDelay: ({ context }) => Math.min(MAX_TIMER_MS, Math.max(0, context.refreshAt - clock.now())),
    },
  }).createMachine({
    id: 'token',
    context: ({ input }) => ({
      marginMs: input.refreshMarginMs ?? 600_000,
      minIssueIntervalMs: input.minIssueIntervalMs ?? 0,
      backoffBaseMs: input.backoffBaseMs ?? 1000,
      backoffCapMs: input.backoffCapMs ?? 60_000,
      issueTimeoutMs: input.issueTimeoutMs ?? 30_000,
      revokeTimeoutMs: input.revokeTimeoutMs ?? 5_000,
      credentialsRetryBaseMs: input.credentialsRetryBaseMs ?? 60_000,
      credentialsRetryCapMs: input.credentialsRetryCapMs ?? 900_000,
      revokeOnShutdown: input.revokeOnShutdown ?? false,
      cached: input.cached,
      token: undefined,
      expiresAt: 0,
      refreshAt: 0,
      lastIssuedMono: Number.NEGATIVE_INFINITY,
      attempt: 0,
      retryDelayMs: 0,
      issuances: 0,
      lastError: undefined,
      lastInvalidation: undefined,
      rejectedSince: null,
      rejections: 0,
    }),
    initial: 'idle',
    states: {
      idle: {
        entry: 'noteCachedIssue',
        always: { guard: 'cachedUsable', target: 'valid', actions: 'adoptCached' },
        on: {
          'token.get': 'fetching',
          'token.shutdown': 'stopped',
        },
      },
      fetching: {
        tags: ['issuing'],
        initial: 'gate',
        on: { 'token.shutdown': 'stopped' },
        states: {
          gate: {
            always: { guard: 'issueAllowed', target: 'requesting' },
            after: { issueGateDelay: 'requesting' },
          },
          requesting: {
            invoke: {
              src: 'issueToken',
              onDone: [
                {
                  guard: { type: 'issuedUnusable', params: ({ event }) => ({ issued: event.output }) },
                  target: 'backoff',
                  actions: ['noteIssued', { type: 'planRetry', params: { error: new TransientError('E_AUTH_TOKEN', 'the broker issued a token that is already expired') } }],
                },
                { target: '#token.valid', actions: { type: 'storeToken', params: ({ event }) => ({ issued: event.output }) } },
              ],
              onError: [
                {
                  guard: { type: 'needsOperator', params: ({ event }) => ({ error: event.error }) },
                  target: '#token.failed',
                  actions: { type: 'planCredentialsRetry', params: ({ event }) => ({ error: event.error }) },
                },
                { target: 'backoff', actions: { type: 'planRetry', params: ({ event }) => ({ error: event.error }) } },
              ],
            },
            after: {
              issueTimeout: { target: 'backoff', actions: { type: 'planRetry', params: ({ context }) => ({ error: new TransientError('E_TIMEOUT', `no token answer within ${context.issueTimeoutMs} ms`) }) } },
            },
          },
          backoff: {
            after: { retryDelay: 'gate' },
          },
        },
      },
      valid: {
        tags: ['valid'],
        after: {
          refreshDelay: [
            { guard: 'refreshDue', target: 'fetching', actions: 'dropToken' },
            { target: 'valid', reenter: true },
          ],
        },
        on: {
          'token.invalidate': { guard: 'isCurrentToken', target: 'fetching', actions: 'dropToken' },
          'token.check': { guard: 'refreshDue', target: 'fetching', actions: 'dropToken' },
          'token.shutdown': [{ guard: 'shouldRevoke', target: 'revoking' }, { target: 'stopped' }],
        },
      },
      /** Credentials rejected: no token until a slow retry succeeds. */
      failed: {
        tags: ['rejected'],
        after: { retryDelay: 'fetching' },
        on: { 'token.shutdown': 'stopped' },
      },
      revoking: {
        invoke: {
          src: 'revokeToken',
          input: ({ context }) => ({ token: context.token as string }),
          onDone: 'stopped',
          onError: 'stopped',
        },
        after: { revokeTimeout: 'stopped' },
      },
      stopped: { tags: ['stopped'], type: 'final' },
    },
  });
}

export type TokenMachine = ReturnType<typeof createTokenMachine>;
