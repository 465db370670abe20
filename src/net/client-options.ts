import type { Clock } from '../core/clock.js';
import { silentLog, type LogSink } from '../core/ports/log-sink.js';
import { createRateLimiter, type RateLimiter } from '../core/rate-limiter.js';
import type { BrokerOutcome } from './broker-call.js';
import { createHttpTransport, type HttpTransport } from './http-transport.js';

/** The network options every broker client takes (token issuers and REST clients alike). */
export interface NetClientOptions<T = HttpTransport> {
  /** REST origin: the broker's host or the simulator. */
  baseUrl: string;
  clock: Clock;
  /** The host + app key limiter, shared by the token issuer and the REST client; default: a private one. */
  limiter?: RateLimiter;
  /** The private limiter's rate. Default: the broker's published limit. */
  requestsPerSecond?: number;
  /** Added to the limiter's 1 s window to absorb latency jitter between send and arrival. Default 50. */
  rateMarginMs?: number;
  /** Per request, headers and body included. Default 10 000. */
  requestTimeoutMs?: number;
  /** Bound on waiting for a token or the limiter before a request (E_TIMEOUT). Default 120 000. */
  waitTimeoutMs?: number;
  /** Answers longer than this are refused unread (E_BODY_TOO_LARGE). Default 8 MiB. */
  maxBodyBytes?: number;
  log?: LogSink;
  /** Use this transport instead of a new undici Pool (tests, recording, replay). */
  transport?: T;
}

/** The options of a client that retries: rate-limit policy and the outcome hook. */
export interface RetryingClientOptions<O extends BrokerOutcome, T = HttpTransport> extends NetClientOptions<T> {
  /** Retries after a rate-limit answer. Default: per broker. */
  rateLimitRetries?: number;
  /** First wait after a rate-limit answer, doubled per retry (the broker's own wait wins when longer). Default 1000. */
  rateLimitBackoffMs?: number;
  /** Every classified answer (the daemon counts rate-limit hits). */
  onOutcome?: (outcome: O) => void;
}

export interface ClientNet<T> {
  readonly transport: T | HttpTransport;
  readonly limiter: RateLimiter;
  readonly clock: Clock;
  readonly log: LogSink;
  readonly waitTimeoutMs: number;
}

/** The transport and limiter a client uses: the given ones, or its own with the defaults above. */
export function clientNet<T>(o: NetClientOptions<T>, defaultRatePerSecond: number): ClientNet<T> {
  const { clock } = o;
  const transport =
    o.transport ??
    createHttpTransport({
      baseUrl: o.baseUrl,
      clock,
      timeoutMs: o.requestTimeoutMs ?? 10_000,
      ...(o.maxBodyBytes !== undefined && { maxBodyBytes: o.maxBodyBytes }),
    });
  const limiter =
    o.limiter ?? createRateLimiter({ clock, ratePerSecond: o.requestsPerSecond ?? defaultRatePerSecond, marginMs: o.rateMarginMs ?? 50 });
  return { transport, limiter, clock, log: o.log ?? silentLog, waitTimeoutMs: o.waitTimeoutMs ?? 120_000 };
}
