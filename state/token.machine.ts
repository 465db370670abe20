import { assign, fromPromise, setup } from 'xstate';
import type { Clock } from '../src/core/clock.js';
import { isKrxError, errorMessage, type ErrorCategory, type ErrorCode } from '../src/core/errors.js';
import type { CachedToken } from '../src/core/ports/token-cache.js';
import type { IssuedToken } from '../src/core/ports/token-issuer.js';
import type { TokenInvalidReason } from '../src/core/ports/token-source.js';
import type { Random } from '../src/core/random.js';

/**
 * The token lifecycle of one broker credential (Kiwoom or KIS: the same machine serves both).
 *
 * idle -> fetching (gate -> requesting -> backoff) -> valid -> fetching (refresh) ... -> failed / stopped.
 * - Single flight: only `fetching.requesting` issues; every other request for a token waits for `valid`.
 * - Refresh at expiry minus the margin, on the actor's clock (`createActor(m, { clock, input })`).
 * - `minIssueIntervalMs` gates issuances (KIS: one a minute) across refreshes and invalidations.
 * - Transient failures back off exponentially with jitter from the seeded Random; fatal ones
 *   (auth/config/reject categories, e.g. bad app key) end in `failed` with no retry.
 * - An invalidation naming a token that is no longer current is ignored (no double refresh).
 * Effects are named actors (`issueToken`, `revokeToken`), provided by the composition root.
 */

/** Longest single timer: setTimeout overflows past 2^31-1 ms (KIS corporate tokens last 3 months). */
const MAX_TIMER_MS = 86_400_000;

export interface TokenMachineInput {
  clock: Clock;
  random: Random;
  /** Refresh this long before expiry (config tokens.refreshMarginSeconds * 1000). Default 600 000. */
  refreshMarginMs?: number;
  /** Least time between two issuances (KIS: 61 000). Default 0. */
  minIssueIntervalMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Revoke the current token on `token.shutdown` (config tokens.revokeOnShutdown). */
  revokeOnShutdown?: boolean;
  /** A token found in the cache; adopted only if valid beyond the margin. */
  cached?: CachedToken;
}

export interface TokenFailure {
  code: ErrorCode | 'UNKNOWN';
  category: ErrorCategory | 'unknown';
  message: string;
  /** The original error, so callers see the same KrxError. */
  error: unknown;
}

export interface TokenContext {
  clock: Clock;
  random: Random;
  marginMs: number;
  minIssueIntervalMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  revokeOnShutdown: boolean;
  cached: CachedToken | undefined;
  token: string | undefined;
  expiresAt: number;
  /** When a refresh starts: expiry minus the margin (or half the lifetime for short-lived tokens). */
  refreshAt: number;
  lastIssuedAt: number;
  /** Consecutive failed issuance attempts. */
  attempt: number;
  retryDelayMs: number;
  issuances: number;
  lastError: TokenFailure | undefined;
  lastInvalidation: TokenInvalidReason | undefined;
}

export type TokenEvent =
  | { type: 'token.get' }
  | { type: 'token.invalidate'; token: string; reason: TokenInvalidReason }
  | { type: 'token.check' }
  | { type: 'token.shutdown' };

function toFailure(err: unknown): TokenFailure {
  if (isKrxError(err)) return { code: err.code, category: err.category, message: err.message, error: err };
  return { code: 'UNKNOWN', category: 'unknown', message: errorMessage(err), error: err };
}

const FATAL: ReadonlySet<string> = new Set<ErrorCategory>(['auth', 'config', 'reject']);

export const tokenMachine = setup({
  types: {
    context: {} as TokenContext,
    events: {} as TokenEvent,
    input: {} as TokenMachineInput,
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
    cachedUsable: ({ context }) =>
      context.cached !== undefined && context.cached.expiresAt - context.marginMs > context.clock.now(),
    issueAllowed: ({ context }) => context.clock.now() >= context.lastIssuedAt + context.minIssueIntervalMs,
    isFatal: ({ event }) => {
      const err = (event as { error?: unknown }).error;
      return isKrxError(err) && FATAL.has(err.category);
    },
    issuedExpired: ({ context, event }) => {
      const out = (event as { output?: IssuedToken }).output;
      return !out || !(out.expiresAt > context.clock.now()) || typeof out.token !== 'string' || out.token === '';
    },
    refreshDue: ({ context }) => context.clock.now() >= context.refreshAt,
    isCurrentToken: ({ context, event }) => event.type === 'token.invalidate' && event.token === context.token,
    shouldRevoke: ({ context }) => context.revokeOnShutdown && context.token !== undefined,
  },
  actions: {
    adoptCached: assign(({ context }) => {
      const c = context.cached as CachedToken;
      const now = context.clock.now();
      return {
        token: c.token,
        expiresAt: c.expiresAt,
        refreshAt: refreshAtFor(c.expiresAt, now, context.marginMs),
        lastIssuedAt: Math.max(context.lastIssuedAt, c.issuedAt),
      };
    }),
    storeToken: assign(({ context, event }) => {
      const out = (event as unknown as { output: IssuedToken }).output;
      const now = context.clock.now();
      return {
        token: out.token,
        expiresAt: out.expiresAt,
        refreshAt: refreshAtFor(out.expiresAt, now, context.marginMs),
        lastIssuedAt: now,
        attempt: 0,
        issuances: context.issuances + 1,
        lastError: undefined,
      };
    }),
    noteIssued: assign(({ context }) => ({ lastIssuedAt: context.clock.now(), issuances: context.issuances + 1 })),
    storeFatal: assign(({ event }) => ({ lastError: toFailure((event as { error?: unknown }).error), token: undefined })),
    storeRetry: assign(({ context, event }) => {
      const out = (event as { output?: unknown }).output;
      const failure =
        out !== undefined
          ? toFailure(new Error('the broker issued a token that is already expired'))
          : toFailure((event as { error?: unknown }).error);
      const attempt = context.attempt + 1;
      // Equal jitter: half fixed, half random, so retries from many processes spread out.
      const exp = Math.min(context.backoffCapMs, context.backoffBaseMs * 2 ** (attempt - 1));
      let delay = exp / 2 + context.random.next() * (exp / 2);
      const retryAfter = isKrxError(failure.error) ? failure.error.details['retryAfterMs'] : undefined;
      if (typeof retryAfter === 'number' && retryAfter > delay) delay = retryAfter; // EGW00133: wait out the minute
      return { attempt, retryDelayMs: Math.round(delay), lastError: failure };
    }),
    dropToken: assign(({ event }) => ({
      token: undefined,
      lastInvalidation: event.type === 'token.invalidate' ? event.reason : 'expired',
    })),
  },
  delays: {
    issueGateDelay: ({ context }) =>
      Math.min(MAX_TIMER_MS, Math.max(0, context.lastIssuedAt + context.minIssueIntervalMs - context.clock.now())),
    retryDelay: ({ context }) => context.retryDelayMs,
    refreshDelay: ({ context }) => Math.min(MAX_TIMER_MS, Math.max(0, context.refreshAt - context.clock.now())),
  },
}).createMachine({
  id: 'token',
  context: ({ input }) => ({
    clock: input.clock,
    random: input.random,
    marginMs: input.refreshMarginMs ?? 600_000,
    minIssueIntervalMs: input.minIssueIntervalMs ?? 0,
    backoffBaseMs: input.backoffBaseMs ?? 1000,
    backoffCapMs: input.backoffCapMs ?? 60_000,
    revokeOnShutdown: input.revokeOnShutdown ?? false,
    cached: input.cached,
    token: undefined,
    expiresAt: 0,
    refreshAt: 0,
    lastIssuedAt: input.cached?.issuedAt ?? Number.NEGATIVE_INFINITY,
    attempt: 0,
    retryDelayMs: 0,
    issuances: 0,
    lastError: undefined,
    lastInvalidation: undefined,
  }),
  initial: 'idle',
  states: {
    idle: {
      always: { guard: 'cachedUsable', target: 'valid', actions: 'adoptCached' },
      on: {
        'token.get': 'fetching',
        'token.shutdown': 'stopped',
      },
    },
    fetching: {
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
              { guard: 'issuedExpired', target: 'backoff', actions: ['noteIssued', 'storeRetry'] },
              { target: '#token.valid', actions: 'storeToken' },
            ],
            onError: [
              { guard: 'isFatal', target: '#token.failed', actions: 'storeFatal' },
              { target: 'backoff', actions: 'storeRetry' },
            ],
          },
        },
        backoff: {
          after: { retryDelay: 'gate' },
        },
      },
    },
    valid: {
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
    failed: {
      on: { 'token.shutdown': 'stopped' },
    },
    revoking: {
      invoke: {
        src: 'revokeToken',
        input: ({ context }) => ({ token: context.token as string }),
        onDone: 'stopped',
        onError: 'stopped',
      },
    },
    stopped: { type: 'final' },
  },
});

/** Expiry minus the margin, but never less than half the remaining lifetime (no refresh loop on short tokens). */
function refreshAtFor(expiresAt: number, now: number, marginMs: number): number {
  const lifetime = expiresAt - now;
  return expiresAt - Math.min(marginMs, Math.max(0, lifetime / 2));
}
