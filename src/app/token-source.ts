import { createActor, fromPromise, type Actor } from 'xstate';
import { createTokenMachine, type TokenFailure, type TokenMachine } from '../../state/token.machine.js';
import type { Clock } from '../core/clock.js';
import { AuthError, TransientError } from '../core/errors.js';
import type { LogSink } from '../core/ports/log-sink.js';
import { silentLog } from '../core/ports/log-sink.js';
import type { TokenCache, TokenCacheKey } from '../core/ports/token-cache.js';
import type { IssuedToken, TokenIssuer } from '../core/ports/token-issuer.js';
import type { TokenInvalidReason, TokenSource } from '../core/ports/token-source.js';
import { rememberSecret } from '../observability/secrets.js';
import type { Random } from '../core/random.js';

export interface ManagedTokenSourceOptions {
  /** For logs: 'kiwoom' or 'kis'. */
  name: string;
  issuer: TokenIssuer;
  clock: Clock;
  random: Random;
  /** Reuse and persist tokens across restarts (config tokens.cache). */
  cache?: { store: TokenCache; key: TokenCacheKey };
  refreshMarginMs?: number;
  /** KIS: 61 000 (one issuance a minute). */
  minIssueIntervalMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** An issuance unanswered after this long is retried (config tokens.issueTimeoutMs). */
  issueTimeoutMs?: number;
  /** Rejected credentials: the long backoff (config tokens.credentialsRetryBaseMs/CapMs). */
  credentialsRetryBaseMs?: number;
  credentialsRetryCapMs?: number;
  /** A getToken() caller waits at most this long (default: 60 s, or the issue gate plus an issuance and 30 s), then gets E_TIMEOUT. */
  waitTimeoutMs?: number;
  /**
   * Credentials still rejected after this long (monotonic): `onGiveUp` is called once (the daemon
   * exits with code 77). 0 or absent = never.
   */
  giveUpAfterMs?: number;
  onGiveUp?: (failure: { code: string; message: string; rejectedForMs: number }) => void;
  revokeOnShutdown?: boolean;
  log?: LogSink;
}

export interface TokenStatus {
  state: 'idle' | 'fetching' | 'valid' | 'failed' | 'revoking' | 'stopped';
  expiresAt: number | undefined;
  issuances: number;
  lastError: { code: string; message: string } | undefined;
  /** While `failed`: the next issuance attempt is due in this many ms. */
  retryInMs?: number;
  /** While `failed`: how long the credentials have been rejected. */
  rejectedForMs?: number;
}

export interface ManagedTokenSource extends TokenSource {
  status(): TokenStatus;
  /** Revokes the token if configured, then stops. Pending getToken() calls reject. */
  shutdown(): Promise<void>;
  /** The machine actor (for the app's health view). */
  readonly actor: Actor<TokenMachine>;
}

/**
 * Runs the token machine with the broker's issuer (and the token cache) as its named actors, on the
 * given Clock, and offers it as a TokenSource. This is the bridge between state/ (pure) and the I/O.
 */
export function createManagedTokenSource(options: ManagedTokenSourceOptions): ManagedTokenSource {
  const { clock, issuer, cache } = options;
  const log = options.log ?? silentLog;
  const cached = cache ? safely(() => cache.store.load(cache.key), log) : undefined;

  const machine = createTokenMachine({ clock, random: options.random }).provide({
    actors: {
      issueToken: fromPromise<IssuedToken>(async () => {
        const issued = await issuer.issue();
        log.info({ broker: options.name, expiresAt: issued.expiresAt }, 'token issued');
        if (cache) {
          const entry = { token: issued.token, expiresAt: issued.expiresAt, issuedAt: clock.now() };
          safely(() => cache.store.save(cache.key, entry), log);
        }
        return issued;
      }),
      revokeToken: fromPromise<void, { token: string }>(async ({ input }) => {
        if (cache) safely(() => cache.store.clear(cache.key), log);
        await issuer.revoke(input.token);
        log.info({ broker: options.name }, 'token revoked');
      }),
    },
  });

  const actor = createActor(machine, {
    clock,
    input: {
      ...(options.issueTimeoutMs !== undefined && { issueTimeoutMs: options.issueTimeoutMs }),
      ...(options.credentialsRetryBaseMs !== undefined && { credentialsRetryBaseMs: options.credentialsRetryBaseMs }),
      ...(options.credentialsRetryCapMs !== undefined && { credentialsRetryCapMs: options.credentialsRetryCapMs }),
      ...(options.refreshMarginMs !== undefined && { refreshMarginMs: options.refreshMarginMs }),
      ...(options.minIssueIntervalMs !== undefined && { minIssueIntervalMs: options.minIssueIntervalMs }),
      ...(options.backoffBaseMs !== undefined && { backoffBaseMs: options.backoffBaseMs }),
      ...(options.backoffCapMs !== undefined && { backoffCapMs: options.backoffCapMs }),
      ...(options.revokeOnShutdown !== undefined && { revokeOnShutdown: options.revokeOnShutdown }),
      ...(cached !== undefined && { cached }),
    },
  });

  type Waiter = { resolve: (t: string) => void; reject: (e: unknown) => void; timer: unknown };
  let waiters: Waiter[] = [];
  let lastLoggedError: TokenFailure | undefined;
  // Long enough for a legitimate wait: the issue gate (KIS: a minute), one issuance and a retry.
  const waitTimeoutMs = options.waitTimeoutMs ?? Math.max(60_000, (options.minIssueIntervalMs ?? 0) + (options.issueTimeoutMs ?? 30_000) + 30_000);
  let giveUpTimer: unknown = undefined;
  let gaveUp = false;

  /** Arms (once per run of rejections) the give-up timer on monotonic time; a recovery disarms it. */
  const watchRejection = (): void => {
    const snap = actor.getSnapshot();
    const since = snap.context.rejectedSince;
    if (since === null || !snap.hasTag('rejected')) {
      if (giveUpTimer !== undefined) clock.clearTimeout(giveUpTimer);
      giveUpTimer = undefined;
      return;
    }
    const limit = options.giveUpAfterMs ?? 0;
    if (limit <= 0 || gaveUp || giveUpTimer !== undefined || !options.onGiveUp) return;
    const fire = (): void => {
      giveUpTimer = undefined;
      const now = actor.getSnapshot();
      const started = now.context.rejectedSince;
      if (!now.hasTag('rejected') || started === null) return;
      const rejectedForMs = clock.monotonic() - started;
      // Timers run on monotonic time, but check anyway: re-arm for what is left.
      if (rejectedForMs < limit) {
        giveUpTimer = clock.setTimeout(fire, limit - rejectedForMs);
        return;
      }
      gaveUp = true;
      const err = now.context.lastError;
      log.error({ broker: options.name, code: 'E_AUTH_GAVE_UP', cause: err?.code, rejectedForMs }, `${options.name} credentials still rejected after ${Math.round(rejectedForMs / 60_000)} min: giving up`);
      options.onGiveUp?.({ code: err?.code ?? 'E_AUTH_CREDENTIALS', message: err?.message ?? 'credentials rejected', rejectedForMs });
    };
    giveUpTimer = clock.setTimeout(fire, Math.max(0, limit - (clock.monotonic() - since)));
  };

  const settle = (): void => {
    const snap = actor.getSnapshot();
    const ctx = snap.context;
    rememberSecret(ctx.token); // hardening hook: scrubbed from logs, /healthz and the recording from now on
    if (ctx.lastError && ctx.lastError !== lastLoggedError) {
      lastLoggedError = ctx.lastError;
      if (snap.hasTag('rejected')) {
        log.error({ broker: options.name, code: ctx.lastError.code, retryInMs: ctx.retryDelayMs, rejections: ctx.rejections }, `${options.name} credentials rejected: fix the app key/secret; retrying in ${Math.round(ctx.retryDelayMs / 1000)} s`);
      } else {
        log.warn({ broker: options.name, code: ctx.lastError.code, retryInMs: ctx.retryDelayMs }, 'token issuance failed');
      }
    }
    watchRejection();
    if (waiters.length === 0) return;
    let outcome: { token: string } | { error: unknown } | undefined;
    if (snap.matches('valid') && ctx.token !== undefined) outcome = { token: ctx.token };
    else if (snap.matches('failed')) outcome = { error: ctx.lastError?.error ?? stoppedError(options.name) };
    else if (snap.status !== 'active' || snap.matches('stopped') || snap.matches('revoking'))
      outcome = { error: stoppedError(options.name) };
    if (!outcome) return;
    const ws = waiters;
    waiters = [];
    for (const w of ws) {
      clock.clearTimeout(w.timer);
      if ('token' in outcome) w.resolve(outcome.token);
      else w.reject(outcome.error);
    }
  };
  const wait = (): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined };
      // Every wait has an end: a caller is told instead of hanging on a broker that never answers.
      waiter.timer = clock.setTimeout(() => {
        waiters = waiters.filter((w) => w !== waiter);
        reject(new TransientError('E_TIMEOUT', `no ${options.name} token within ${waitTimeoutMs} ms`));
      }, waitTimeoutMs);
      waiters.push(waiter);
    });
  actor.subscribe({
    next: settle,
    error: (err) => {
      log.error({ broker: options.name, err: err instanceof Error ? err.message : String(err) }, 'token actor crashed');
      settle(); // the actor is no longer active: waiters reject with E_TOKEN_STOPPED
    },
  });
  actor.start();

  return {
    actor,
    getToken() {
      const snap = actor.getSnapshot();
      const ctx = snap.context;
      if (snap.matches('valid') && ctx.token !== undefined) {
        // Timers can fire late (host sleep): never hand out a token past its refresh time.
        if (clock.now() < ctx.refreshAt) return Promise.resolve(ctx.token);
        actor.send({ type: 'token.check' });
      }
      if (snap.matches('failed')) return Promise.reject(ctx.lastError?.error ?? stoppedError(options.name));
      if (snap.status !== 'active') return Promise.reject(stoppedError(options.name));
      const p = wait();
      if (actor.getSnapshot().matches('idle')) actor.send({ type: 'token.get' });
      settle();
      return p;
    },
    invalidate(token: string, reason: TokenInvalidReason) {
      if (actor.getSnapshot().status !== 'active') return;
      actor.send({ type: 'token.invalidate', token, reason });
    },
    status() {
      const snap = actor.getSnapshot();
      const value = typeof snap.value === 'string' ? snap.value : Object.keys(snap.value)[0];
      const err = snap.context.lastError;
      const since = snap.context.rejectedSince;
      return {
        state: (value ?? 'stopped') as TokenStatus['state'],
        expiresAt: snap.context.token !== undefined ? snap.context.expiresAt : undefined,
        issuances: snap.context.issuances,
        lastError: err ? { code: err.code, message: err.message } : undefined,
        ...(snap.hasTag('rejected') && since !== null ? { retryInMs: snap.context.retryDelayMs, rejectedForMs: clock.monotonic() - since } : {}),
      };
    },
    async shutdown() {
      if (giveUpTimer !== undefined) clock.clearTimeout(giveUpTimer);
      giveUpTimer = undefined;
      if (actor.getSnapshot().status !== 'active') return;
      const done = new Promise<void>((resolve) => {
        const sub = actor.subscribe({
          next: (s) => {
            if (s.status !== 'active') {
              sub.unsubscribe();
              resolve();
            }
          },
          complete: () => resolve(),
          error: () => resolve(),
        });
      });
      actor.send({ type: 'token.shutdown' });
      await done;
      settle();
    },
  };
}

function stoppedError(name: string): AuthError {
  return new AuthError('E_TOKEN_STOPPED', `${name} token source is stopped`);
}

function safely<T>(fn: () => T, log: LogSink): T | undefined {
  try {
    return fn();
  } catch (err) {
    log.warn({ err: err instanceof Error ? err.message : String(err) }, 'token cache unavailable');
    return undefined;
  }
}
