import { Pool } from 'undici';
import type { Clock } from '../../core/clock.js';
import { TransientError } from '../../core/errors.js';

/** A raw HTTP answer: status, lower-cased headers, body text and its JSON (undefined if not JSON). */
export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
  /** When the whole answer had arrived, on the transport's Clock: the one stamp everything downstream uses. */
  readonly receivedAt: number;
}

export interface KisTransport {
  get(path: string, query: Record<string, string>, headers: Record<string, string>): Promise<HttpAnswer>;
  post(path: string, headers: Record<string, string>, body: unknown): Promise<HttpAnswer>;
  close(): Promise<void>;
}

export interface KisTransportOptions {
  baseUrl: string;
  clock: Clock;
  timeoutMs: number;
  connections?: number;
}

/**
 * undici plumbing for the KIS host (kept apart from the Kiwoom one: adapters never import each
 * other). One keep-alive Pool, a timeout on the injected Clock, network failures as TransientErrors.
 */
export function createKisTransport(options: KisTransportOptions): KisTransport {
  const url = new URL(options.baseUrl);
  const prefix = url.pathname.replace(/\/+$/, '');
  const pool = new Pool(url.origin, { connections: options.connections ?? 2 });
  const { clock } = options;

  const send = async (method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string) => {
    const ac = new AbortController();
    let timedOut = false;
    const timer = clock.setTimeout(() => {
      timedOut = true;
      ac.abort();
    }, options.timeoutMs);
    const where = `${url.host}${path.split('?')[0] ?? ''}`;
    try {
      const res = await pool.request({ path: prefix + path, method, headers, body: body ?? null, signal: ac.signal });
      const text = await res.body.text();
      return { status: res.statusCode, text, json: parseJson(text), receivedAt: clock.now() };
    } catch (err) {
      if (timedOut) {
        throw new TransientError('E_TIMEOUT', `no answer from ${where} within ${options.timeoutMs} ms`, { details: { host: url.host } });
      }
      const code = (err as { code?: unknown }).code;
      throw new TransientError('E_NETWORK', `request to ${where} failed: ${typeof code === 'string' ? code : ''} ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
        details: { host: url.host },
      });
    } finally {
      clock.clearTimeout(timer);
    }
  };

  return {
    get: (path, query, headers) => send('GET', `${path}?${new URLSearchParams(query).toString()}`, headers),
    post: (path, headers, body) => send('POST', path, headers, JSON.stringify(body)),
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
