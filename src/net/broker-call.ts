import { doubling, honourHint, type ExponentialPolicy } from '../core/backoff.js';
import type { Clock } from '../core/clock.js';
import { TransientError } from '../core/errors.js';
import type { TokenSource } from '../core/ports/token-source.js';
import type { ClientNet } from './client-options.js';
import { headerOf, type HttpAnswer } from './http-transport.js';

/**
 * What a broker table reads from one answer. `ok`, `token` (refresh once, retry once) and `rate`
 * (wait, retry within a bound) drive the loop; every other kind is final.
 */
export interface BrokerOutcome {
  readonly kind: string;
}

/** How one broker answers: its classifier, its outcome -> error table and its own waits. */
export interface BrokerProtocol<O extends BrokerOutcome> {
  readonly broker: string;
  classify(answer: HttpAnswer): O;
  /** The error for an outcome the loop gives up on; `api` names the call (api-id, tr_id, endpoint). */
  fail(api: string, outcome: Exclude<O, { kind: 'ok' }>, answer: HttpAnswer, context: FailContext): Error;
  /** The broker's own wait for an outcome (EGW00133's minute); a Retry-After header counts too. */
  waitMs?(outcome: O): number | undefined;
}

export interface FailContext {
  /** A token was already refreshed for this call. */
  readonly refreshed: boolean;
  /** The broker's own wait, if any: it travels as details.retryAfterMs. */
  readonly waitMs: number | undefined;
}

export interface RetryPolicy<O extends BrokerOutcome> {
  /** Absent for the token endpoints themselves. */
  readonly tokens?: TokenSource;
  /** Retries after a rate-limit answer; 0 = fail at once. */
  readonly rateRetries: number;
  /** The wait before retry n is doubling(backoff, n), or the broker's own wait when longer. */
  readonly backoff: ExponentialPolicy;
  /** Every classified answer, for metrics (rate-limit hits). Must not throw. */
  readonly onOutcome?: ((outcome: O) => void) | undefined;
}

/** One attempt; `token` is '' when the call needs none. */
export type Send = (token: string) => Promise<HttpAnswer>;

/** A client's one way to call its broker. */
export type BrokerCall = (api: string, send: Send) => Promise<HttpAnswer>;

const NO_RETRY: RetryPolicy<BrokerOutcome> = { rateRetries: 0, backoff: { baseMs: 0, capMs: 0 } };

/**
 * The one retry loop under both brokers: token, shared limiter, send, classify; a token error
 * refreshes the token once, a rate limit waits (bounded, honouring the broker's wait) and retries.
 * Without a policy (the token endpoints) nothing is retried: the token machine owns that.
 */
export function createBrokerCall<O extends BrokerOutcome>(
  protocol: BrokerProtocol<O>,
  net: Pick<ClientNet<unknown>, 'clock' | 'limiter' | 'log' | 'waitTimeoutMs'>,
  policy: RetryPolicy<O> = NO_RETRY,
): BrokerCall {
  const { limiter, log } = net;
  const { tokens } = policy;
  return async (api, send) => {
    const context = { broker: protocol.broker, api };
    let refreshed = false;
    let rateRetries = 0;
    for (;;) {
      const token = tokens ? await withTimeout(net, context, 'token', () => tokens.getToken()) : '';
      await withTimeout(net, context, 'limiter', (signal) => limiter.acquire(signal));
      const answer = await send(token);
      const outcome = protocol.classify(answer);
      policy.onOutcome?.(outcome);
      if (outcome.kind === 'ok') return answer;
      const waitMs = brokerWait(protocol, outcome, answer);
      if (outcome.kind === 'token' && tokens && !refreshed) {
        refreshed = true;
        log.info({ ...context, outcome }, 'token rejected; refreshing once');
        tokens.invalidate(token, 'rejected');
        continue;
      }
      if (outcome.kind === 'rate' && rateRetries < policy.rateRetries) {
        const pauseMs = honourHint(doubling(policy.backoff, rateRetries), waitMs);
        rateRetries++;
        log.warn({ ...context, outcome, waitMs: pauseMs }, 'rate limit hit; waiting');
        limiter.pauseFor(pauseMs);
        continue;
      }
      throw protocol.fail(api, outcome as Exclude<O, { kind: 'ok' }>, answer, { refreshed, waitMs });
    }
  };
}

function brokerWait<O extends BrokerOutcome>(protocol: BrokerProtocol<O>, outcome: O, answer: HttpAnswer): number | undefined {
  const own = protocol.waitMs?.(outcome);
  const header = Number(headerOf(answer.headers, 'retry-after'));
  const retryAfter = Number.isFinite(header) && header >= 0 ? header * 1000 : undefined;
  if (own === undefined) return retryAfter;
  return honourHint(own, retryAfter);
}

/** Runs a wait (token, limiter) that gives up with E_TIMEOUT after `waitTimeoutMs` on the Clock. */
async function withTimeout<T>(
  net: { clock: Clock; waitTimeoutMs: number },
  context: Record<string, unknown>,
  what: 'token' | 'limiter',
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ac = new AbortController();
  let timer: unknown;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = net.clock.setTimeout(() => {
      const err = new TransientError('E_TIMEOUT', `waited ${net.waitTimeoutMs} ms for the ${what}`, {
        details: { ...context, wait: what, timeoutMs: net.waitTimeoutMs },
      });
      ac.abort(err);
      reject(err);
    }, net.waitTimeoutMs);
  });
  try {
    return await Promise.race([run(ac.signal), timeout]);
  } finally {
    net.clock.clearTimeout(timer);
  }
}

/** The retry policy a REST client's options describe. */
export function retryPolicy<O extends BrokerOutcome>(
  tokens: TokenSource,
  o: { rateLimitRetries?: number; rateLimitBackoffMs?: number; onOutcome?: (outcome: O) => void },
  defaultRetries: number,
): RetryPolicy<O> {
  return {
    tokens,
    rateRetries: o.rateLimitRetries ?? defaultRetries,
    backoff: { baseMs: o.rateLimitBackoffMs ?? 1000, capMs: 60_000 },
    onOutcome: o.onOutcome,
  };
}
