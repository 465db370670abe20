import { Pool } from 'undici';
import type { Clock } from '../../core/clock.js';
import type { SinkAnswer } from './types.js';

export interface PostTarget {
  /** The full URL: it may hold a secret (bot token, webhook path), so it never reaches a log or an error. */
  readonly url: string;
  readonly clock: Clock;
  readonly timeoutMs: number;
  /** Reads a service-specific wait hint from a 429 body (Telegram `parameters.retry_after`, Discord `retry_after`). */
  readonly retryAfterFromBody?: (json: unknown) => number | undefined;
  /** Reads a 2xx body that still means failure (Telegram `ok: false`). */
  readonly refusedBody?: (json: unknown) => string | undefined;
  /** Other secrets a service might echo back (an HMAC key); the URL's path is always treated as secret. */
  readonly secrets?: readonly string[];
}

export interface HttpPoster {
  post(body: string, headers: Readonly<Record<string, string>>): Promise<SinkAnswer>;
  close(): Promise<void>;
}

/** Longest answer body read (a description for the log); the rest is discarded. */
const MAX_BODY = 16 * 1024;

/**
 * One keep-alive pool to one sink's origin; a POST with a timeout on the Clock; the answer
 * classified: 2xx delivered, 429 and 5xx and network failures retried (with the server's hint),
 * other 4xx refused for good.
 */
export function createHttpPoster(target: PostTarget): HttpPoster {
  const url = new URL(target.url);
  const path = url.pathname + url.search;
  const pool = new Pool(url.origin, { connections: 1 });
  const { clock } = target;
  // A service may echo the token or webhook path in its error text: scrub before it reaches a log or the DB.
  const secrets = [target.url, path, ...url.pathname.split('/').filter((p) => p.length >= 6), ...(target.secrets ?? [])].filter((s) => s.length >= 6);
  const scrub = (answer: SinkAnswer): SinkAnswer => {
    if (answer.ok) return answer;
    let reason = answer.reason;
    for (const s of secrets) reason = reason.split(s).join('[redacted]');
    return { ...answer, reason };
  };
  return {
    async post(body, headers) {
      const ac = new AbortController();
      let timedOut = false;
      const timer = clock.setTimeout(() => {
        timedOut = true;
        ac.abort();
      }, target.timeoutMs);
      try {
        const res = await pool.request({ path, method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, body, signal: ac.signal });
        const text = await readBounded(res.body);
        return scrub(classify(res.statusCode, res.headers, text, target));
      } catch (err) {
        if (timedOut) return { ok: false, retry: true, code: 'E_NOTIFY_HTTP', reason: `no answer within ${target.timeoutMs} ms` };
        return { ok: false, retry: true, code: 'E_NOTIFY_HTTP', reason: `request failed: ${errorCode(err)}` };
      } finally {
        clock.clearTimeout(timer);
      }
    },
    // Destroy, not close: a hanging request must not hold the daemon's stop (it is retried next start).
    close: () => pool.destroy(),
  };
}

async function readBounded(body: AsyncIterable<Buffer | string> & { destroy?: () => void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (size < MAX_BODY) chunks.push(buf.subarray(0, MAX_BODY - size));
    size += buf.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function classify(status: number, headers: Readonly<Record<string, string | string[] | undefined>>, text: string, target: Pick<PostTarget, 'retryAfterFromBody' | 'refusedBody'> & { clock?: Clock }): SinkAnswer {
  const json = parseJson(text);
  if (status >= 200 && status < 300) {
    const refused = target.refusedBody?.(json);
    if (refused === undefined) return { ok: true, status };
    return { ok: false, retry: false, code: 'E_NOTIFY_REJECTED', status, reason: `refused: ${short(refused)}` };
  }
  const description = short(describeBody(json, text));
  if (status === 429) {
    const hint = target.retryAfterFromBody?.(json) ?? retryAfterHeader(headers['retry-after'], target.clock?.now());
    return { ok: false, retry: true, code: 'E_NOTIFY_RATE_LIMITED', status, reason: `HTTP 429 ${description}`.trim(), ...(hint !== undefined ? { retryAfterMs: hint } : {}) };
  }
  if (status >= 500 || status === 408) {
    const hint = retryAfterHeader(headers['retry-after'], target.clock?.now());
    return { ok: false, retry: true, code: 'E_NOTIFY_HTTP', status, reason: `HTTP ${status} ${description}`.trim(), ...(hint !== undefined ? { retryAfterMs: hint } : {}) };
  }
  return { ok: false, retry: false, code: 'E_NOTIFY_REJECTED', status, reason: `HTTP ${status} ${description}`.trim() };
}

/** `Retry-After`: delta seconds, or an HTTP date (needs `now`). */
export function retryAfterHeader(value: string | string[] | undefined, now?: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return secondsToMs(Number(v));
  const at = Date.parse(v);
  if (Number.isNaN(at) || now === undefined) return undefined;
  return Math.max(0, at - now);
}

/** Seconds (possibly fractional) to ms, bounded to a day so a hostile hint cannot park a sink forever. */
export function secondsToMs(seconds: unknown): number | undefined {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return undefined;
  return Math.min(Math.ceil(seconds * 1000), 86_400_000);
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describeBody(json: unknown, text: string): string {
  if (typeof json === 'object' && json !== null) {
    const o = json as Record<string, unknown>;
    for (const k of ['description', 'message', 'error']) if (typeof o[k] === 'string') return o[k];
  }
  return text.length < 120 ? text : '';
}

/** Service descriptions are echoed into logs: one line, bounded, control characters out. */
function short(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 200);
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.name : 'unknown';
}
