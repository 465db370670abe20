import { doubling, honourHint, type ExponentialPolicy } from '../core/backoff.js';
import type { Clock } from '../core/clock.js';
import { TransientError } from '../core/errors.js';
import type { LogSink } from '../core/ports/log-sink.js';
import type { TokenSource } from '../core/ports/token-source.js';
import type { RateLimiter } from '../core/rate-limiter.js';
import { headerOf, type HttpAnswer } from './http-transport.js';

/**
 * What a broker table reads from one answer. `ok`, `token` (refresh once, retry once) and `rate`
 * (wait, retry within a bound) drive the loop; every other kind is final.
 */
export interface BrokerOutcome {
  readonly kind: string;
}

export interface RatePolicy {
  /** Retries after a rate-limit answer; 0 = fail at once. */
  readonly retries: number;
  /** The wait before retry n is doubling(backoff, n), or the broker's own wait when longer. */
  readonly backoff: ExponentialPolicy;
}

export interface BrokerCallOptions<O extends BrokerOutcome> {
  /** One attempt; `token` is '' when the call needs none (the token endpoints). */
  send(token: string): Promise<HttpAnswer>;
  classify(answer: HttpAnswer): O;
  /** The error for an outcome the loop gives up on. `refreshed`: a token was already refreshed. */
  fail(outcome: Exclude<O, { kind: 'ok' }>, answer: HttpAnswer, context: { refreshed: boolean; waitMs: number | undefined }): Error;
  clock: Clock;
  /** The host + app key limiter, shared by the token issuer and the REST client. */
  limiter: RateLimiter;
  /** Absent for the token endpoints themselves. */
  tokens?: TokenSource;
  rate?: RatePolicy;
  /** The broker's own wait for an outcome (EGW00133's minute); a Retry-After header counts too. */
  brokerWaitMs?(outcome: O): number | undefined;
  /** Every classified answer, for metrics (rate-limit hits). Must not throw. */
  onOutcome?(outcome: O, answer: HttpAnswer): void;
  /** Bound on waiting for a token or for the limiter (the transport bounds the request itself). */
  waitTimeoutMs: number;
  log: LogSink;
  /** Names the call in logs and wait timeouts, e.g. { broker: 'kiwoom', apiId: 'ka90003' }. */
  context: Readonly<Record<string, unknown>>;
}

/**
 * The one retry loop under both brokers: token, shared limiter, send, classify; a token error
 * refreshes the token once, a rate limit waits (bounded, honouring the broker's wait) and retries.
 */
export async function brokerCall<O extends BrokerOutcome>(o: BrokerCallOptions<O>): Promise<HttpAnswer> {
  let refreshed = false;
  let rateRetries = 0;
  const maxRateRetries = o.rate?.retries ?? 0;
  for (;;) {
    const token = o.tokens ? await withTimeout(o, 'token', () => (o.tokens as TokenSource).getToken()) : '';
    await withTimeout(o, 'limiter', (signal) => o.limiter.acquire(signal));
    const answer = await o.send(token);
    const outcome = o.classify(answer);
    o.onOutcome?.(outcome, answer);
    if (outcome.kind === 'ok') return answer;
    const waitMs = brokerWait(o, outcome, answer);
    if (outcome.kind === 'token' && o.tokens && !refreshed) {
      refreshed = true;
      o.log.info({ ...o.context, outcome }, 'token rejected; refreshing once');
      o.tokens.invalidate(token, 'rejected');
      continue;
    }
    if (outcome.kind === 'rate' && o.rate && rateRetries < maxRateRetries) {
      const pauseMs = honourHint(doubling(o.rate.backoff, rateRetries), waitMs);
      rateRetries++;
      o.log.warn({ ...o.context, outcome, waitMs: pauseMs }, 'rate limit hit; waiting');
      o.limiter.pauseFor(pauseMs);
      continue;
    }
    throw o.fail(outcome as Exclude<O, { kind: 'ok' }>, answer, { refreshed, waitMs });
  }
}

function brokerWait<O extends BrokerOutcome>(o: BrokerCallOptions<O>, outcome: O, answer: HttpAnswer): number | undefined {
  const own = o.brokerWaitMs?.(outcome);
  const header = Number(headerOf(answer.headers, 'retry-after'));
  const retryAfter = Number.isFinite(header) && header >= 0 ? header * 1000 : undefined;
  if (own === undefined) return retryAfter;
  return honourHint(own, retryAfter);
}

/** Runs a wait (token, limiter) that gives up with E_TIMEOUT after `waitTimeoutMs` on the Clock. */
async function withTimeout<T>(
  o: Pick<BrokerCallOptions<BrokerOutcome>, 'clock' | 'waitTimeoutMs' | 'context'>,
  what: 'token' | 'limiter',
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ac = new AbortController();
  let timer: unknown;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = o.clock.setTimeout(() => {
      const err = new TransientError('E_TIMEOUT', `waited ${o.waitTimeoutMs} ms for the ${what}`, {
        details: { ...o.context, wait: what, timeoutMs: o.waitTimeoutMs },
      });
      ac.abort(err);
      reject(err);
    }, o.waitTimeoutMs);
  });
  try {
    return await Promise.race([run(ac.signal), timeout]);
  } finally {
    o.clock.clearTimeout(timer);
  }
}
