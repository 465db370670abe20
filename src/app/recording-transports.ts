import type { KisTransport } from '../adapters/kis/transport.js';
import type { HttpTransport } from '../adapters/kiwoom/transport.js';
import { errorMessage, isKrxError } from '../core/errors.js';
import type { FrameRecorder } from '../core/recording.js';

/**
 * REST answers recorded at the transport boundary, page by page, so a replay can serve the same
 * pages to the same REST clients (paging, return codes, schemas and all). Request headers are never
 * recorded: they carry the token and app keys. What is kept: the broker, api-id or tr_id, path, the
 * continuation key asked for, the request body or query, and the raw answer.
 */
export interface RestRecord {
  readonly broker: 'kiwoom' | 'kis';
  /** Kiwoom api-id or KIS tr_id. */
  readonly api: string | null;
  readonly method: 'POST' | 'GET';
  readonly path: string;
  /** The `next-key` a follow-up page asked for; null on a first page. */
  readonly cont: string | null;
  readonly request: unknown;
  readonly status?: number;
  /** Continuation headers of the answer (lower-case names). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** A transport failure instead of an answer. */
  readonly error?: { readonly code: string; readonly message: string };
}

const KEPT_HEADERS = ['cont-yn', 'next-key', 'api-id', 'tr_cont'];
/** KIS query keys that identify the account holder. */
const KIS_SECRET_QUERY = ['USER_ID'];

export function recordingKiwoomTransport(inner: HttpTransport, recorder: FrameRecorder, nowUs: () => number): HttpTransport {
  // An answer is stamped with its own arrival time (the one its events carry); a failure with now.
  return {
    async post(path, headers, body) {
      const base = { broker: 'kiwoom' as const, api: headers['api-id'] ?? null, method: 'POST' as const, path, cont: headers['next-key'] ?? null, request: body };
      try {
        const res = await inner.post(path, headers, body);
        append(recorder, { ...base, status: res.status, headers: keptHeaders(res.headers), body: res.text }, res.receivedAt * 1000);
        return res;
      } catch (err) {
        append(recorder, { ...base, error: failure(err) }, nowUs());
        throw err;
      }
    },
    close: () => inner.close(),
  };
}

export function recordingKisTransport(inner: KisTransport, recorder: FrameRecorder, nowUs: () => number): KisTransport {
  return {
    async get(path, query, headers) {
      const request = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, KIS_SECRET_QUERY.includes(k) ? '[redacted]' : v]));
      const base = { broker: 'kis' as const, api: headers['tr_id'] ?? null, method: 'GET' as const, path, cont: null, request };
      try {
        const res = await inner.get(path, query, headers);
        append(recorder, { ...base, status: res.status, body: res.text }, res.receivedAt * 1000);
        return res;
      } catch (err) {
        append(recorder, { ...base, error: failure(err) }, nowUs());
        throw err;
      }
    },
    // Token calls (tokenP/revokeP) go through here too: never recorded.
    post: (path, headers, body) => inner.post(path, headers, body),
    close: () => inner.close(),
  };
}

function append(recorder: FrameRecorder, record: RestRecord, tsUs: number): void {
  recorder.append('rest', JSON.stringify(record), tsUs);
}

function keptHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const v = headers[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

function failure(err: unknown): { code: string; message: string } {
  return { code: isKrxError(err) ? err.code : 'E_NETWORK', message: errorMessage(err) };
}
