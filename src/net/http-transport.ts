import { Pool, type Dispatcher } from 'undici';
import type { Clock } from '../core/clock.js';
import { DecodeError, KrxError, TransientError } from '../core/errors.js';

/** A raw HTTP answer: status, lower-cased headers, body text and its JSON (undefined if not JSON). */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  readonly json: unknown;
  /** When the whole answer had arrived, on the transport's Clock: the one stamp everything downstream uses. */
  readonly receivedAt: number;
}

/** One broker host. Wrappers (recording, replay) implement the same shape. */
export interface HttpTransport {
  get(path: string, query: Record<string, string>, headers: Record<string, string>): Promise<HttpAnswer>;
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
  /** Answers longer than this are refused unread (E_BODY_TOO_LARGE). Default 8 MiB. */
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * undici plumbing for one broker host: one keep-alive Pool, a timeout on the injected Clock (so
 * tests drive it on virtual time), a cap on the body read (never buffered past it), and network
 * failures mapped to TransientErrors.
 */
export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const url = new URL(options.baseUrl);
  const prefix = url.pathname.replace(/\/+$/, '');
  const pool = new Pool(url.origin, { connections: options.connections ?? 4 });
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const { clock } = options;

  const send = async (method: 'GET' | 'POST', path: string, headers: Record<string, string>, body: string | null): Promise<HttpAnswer> => {
    const where = { host: url.host, path: path.split('?')[0] ?? '' };
    const ac = new AbortController();
    const startedAt = clock.monotonic();
    let timedOut = false;
    const timer = clock.setTimeout(() => {
      timedOut = true;
      ac.abort();
    }, options.timeoutMs);
    try {
      const res = await pool.request({ path: prefix + path, method, headers, body, signal: ac.signal });
      const text = await readCapped(res.body, res.headers['content-length'], maxBodyBytes, where);
      return { status: res.statusCode, headers: res.headers, text, json: parseJsonBody(text), receivedAt: clock.now() };
    } catch (err) {
      if (timedOut) {
        const elapsedMs = clock.monotonic() - startedAt;
        throw new TransientError('E_TIMEOUT', `no answer from ${where.host}${where.path} within ${options.timeoutMs} ms`, {
          details: { ...where, elapsedMs },
        });
      }
      if (err instanceof KrxError) throw err;
      throw new TransientError('E_NETWORK', `request to ${where.host}${where.path} failed: ${describe(err)}`, { cause: err, details: where });
    } finally {
      clock.clearTimeout(timer);
    }
  };

  return {
    get: (path, query, headers) => send('GET', `${path}?${new URLSearchParams(query).toString()}`, headers, null),
    post: (path, headers, body) => send('POST', path, headers, JSON.stringify(body)),
    close: () => pool.close(),
  };
}

/** Reads a body as UTF-8, refusing it (and dropping the connection) once it passes `maxBytes`. */
async function readCapped(
  body: Dispatcher.ResponseData['body'],
  contentLength: string | string[] | undefined,
  maxBytes: number,
  where: { host: string; path: string },
): Promise<string> {
  const tooLarge = (bytes: number) =>
    new DecodeError('E_BODY_TOO_LARGE', `answer from ${where.host}${where.path} is over ${maxBytes} bytes`, {
      details: { ...where, maxBytes, bytes },
    });
  const declared = Number(contentLength);
  if (Number.isFinite(declared) && declared > maxBytes) {
    // Destroying emits undici's abort error on the stream: ours is the one to report.
    body.once('error', () => undefined);
    body.destroy();
    throw tooLarge(declared);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Leaving the loop by a throw destroys the stream: nothing past the cap is buffered.
    if (size > maxBytes) throw tooLarge(size);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** The body's JSON, or undefined when it is empty or not JSON (the broker tables classify that). */
export function parseJsonBody(text: string | undefined): unknown {
  if (!text) return undefined;
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
