import { Pool } from 'undici';
import type { Clock } from '../../core/clock.js';
import { TransientError } from '../../core/errors.js';

/** A raw HTTP answer: status, lower-cased headers, body text and its JSON (undefined if not JSON). */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  readonly json: unknown;
  /** When the whole answer had arrived, on the transport's Clock: the one stamp everything downstream uses. */
  readonly receivedAt: number;
}

export interface HttpTransport {
  post(path: string, headers: Record<string, string>, body: unknown): Promise<HttpAnswer>;
  close(): Promise<void>;
}

export interface HttpTransportOptions {
  /** REST origin, e.g. https://api.kiwoom.com (a path prefix is kept). */
  baseUrl: string;
  clock: Clock;
  /** Per request, headers and body included, on the Clock. */
  timeoutMs: number;
  connections?: number;
}

/**
 * undici plumbing for one Kiwoom host: one keep-alive Pool, JSON bodies, a timeout on the injected
 * Clock (so tests drive it on virtual time), and network failures mapped to TransientErrors.
 */
export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const url = new URL(options.baseUrl);
  const prefix = url.pathname.replace(/\/+$/, '');
  const pool = new Pool(url.origin, { connections: options.connections ?? 4 });
  const { clock } = options;

  return {
    async post(path, headers, body) {
      const ac = new AbortController();
      let timedOut = false;
      const timer = clock.setTimeout(() => {
        timedOut = true;
        ac.abort();
      }, options.timeoutMs);
      try {
        const res = await pool.request({
          path: prefix + path,
          method: 'POST',
          headers,
          body: JSON.stringify(body),
          signal: ac.signal,
        });
        const text = await res.body.text();
        return { status: res.statusCode, headers: res.headers, text, json: parseJson(text), receivedAt: clock.now() };
      } catch (err) {
        if (timedOut) {
          throw new TransientError('E_TIMEOUT', `no answer from ${url.host}${path} within ${options.timeoutMs} ms`, {
            details: { host: url.host, path },
          });
        }
        throw new TransientError('E_NETWORK', `request to ${url.host}${path} failed: ${describe(err)}`, {
          cause: err,
          details: { host: url.host, path },
        });
      } finally {
        clock.clearTimeout(timer);
      }
    },
    close: () => pool.close(),
  };
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} ${err.message}` : err.message;
  }
  return String(err);
}

/** A response header in either capitalisation (undici lower-cases, proxies may not). */
export function headerOf(headers: HttpAnswer['headers'], name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()] ?? headers[capitalise(name)];
  if (Array.isArray(v)) return v[0];
  return v;
}

function capitalise(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}
