import type { KisTransport } from '../../adapters/kis/transport.js';
import type { HttpTransport } from '../../adapters/kiwoom/transport.js';
import { TransientError, type ErrorCode, ERROR_CODES } from '../../core/errors.js';
import { parseJsonBody, type HttpAnswer } from '../../net/http-transport.js';
import type { RestRecord } from '../recording-transports.js';

interface Waiter {
  readonly key: string;
  readonly api: string | null;
  readonly path: string;
  readonly resolve: (record: RestRecord, receivedAt: number) => void;
}

export interface ReplayDivergence {
  readonly broker: 'kiwoom' | 'kis';
  readonly expected: string;
  readonly got: string;
}

/**
 * Serves recorded REST answers to the same REST clients the live run used. Live requests overlap
 * (polls, per-symbol queues and paging share the limiter), so answers may be recorded in another
 * order than their requests were made: a request is served the first recorded answer to the same
 * request (api-id, path, continuation key and body; KIS by tr_id and path, its query carries a
 * redacted user id). A request waits until the replay reaches its answer's recorded arrival; an
 * answer that comes before its request (timing drift) waits for it. A recorded answer no request
 * asked for by the end is a divergence (`settle`): counted and logged.
 */
export class RecordedRest {
  private readonly waiting = { kiwoom: [] as Waiter[], kis: [] as Waiter[] };
  private readonly early = { kiwoom: [] as Array<{ key: string; record: RestRecord; at: number }>, kis: [] as Array<{ key: string; record: RestRecord; at: number }> };
  readonly divergences: ReplayDivergence[] = [];
  answered = 0;

  constructor(private readonly onDivergence: (d: ReplayDivergence) => void = () => undefined) {}

  /** The replay reached a recorded answer. */
  deliver(record: RestRecord, at: number): void {
    const key = recordKey(record);
    const queue = this.waiting[record.broker];
    const i = queue.findIndex((w) => w.key === key);
    if (i >= 0) this.serve(queue.splice(i, 1)[0] as Waiter, record, at);
    else this.early[record.broker].push({ key, record, at });
  }

  /** Requests still waiting (a replay that ends with some was cut short in the live run). */
  pending(): number {
    return this.waiting.kiwoom.length + this.waiting.kis.length;
  }

  /**
   * The end of the recording: answers no request asked for are divergences, or, with `cut` (a
   * recording that ends mid-session), handed to it as a count.
   */
  settle(cut?: (unasked: number) => void): void {
    if (cut) {
      const n = this.early.kiwoom.length + this.early.kis.length;
      this.early.kiwoom.length = 0;
      this.early.kis.length = 0;
      if (n > 0) cut(n);
      return;
    }
    for (const broker of ['kiwoom', 'kis'] as const) {
      for (const { record } of this.early[broker].splice(0)) {
        const d = { broker, expected: `${record.api} ${record.path}`, got: 'no such request' };
        this.divergences.push(d);
        this.onDivergence(d);
      }
    }
  }

  kiwoomTransport(): HttpTransport {
    return {
      post: (path, headers, body) =>
        this.request('kiwoom', headers['api-id'] ?? null, path, requestKey('kiwoom', headers['api-id'] ?? null, path, headers['next-key'] ?? null, body)).then(({ record, at }) => toAnswer(record, at)),
      close: async () => undefined,
    };
  }

  kisTransport(): KisTransport {
    return {
      get: (path, _query, headers) => this.request('kis', headers['tr_id'] ?? null, path, requestKey('kis', headers['tr_id'] ?? null, path, null, null)).then(({ record, at }) => toAnswer(record, at)),
      post: () => Promise.reject(new TransientError('E_NETWORK', 'replay: token calls are not replayed')),
      close: async () => undefined,
    };
  }

  private request(broker: 'kiwoom' | 'kis', api: string | null, path: string, key: string): Promise<{ record: RestRecord; at: number }> {
    return new Promise((resolve) => {
      const waiter: Waiter = { key, api, path, resolve: (record, at) => resolve({ record, at }) };
      const early = this.early[broker];
      const i = early.findIndex((e) => e.key === key);
      if (i >= 0) {
        const ready = early.splice(i, 1)[0] as { record: RestRecord; at: number };
        this.serve(waiter, ready.record, ready.at);
      } else this.waiting[broker].push(waiter);
    });
  }

  private serve(waiter: Waiter, record: RestRecord, at: number): void {
    this.answered++;
    waiter.resolve(record, at);
  }
}

function requestKey(broker: 'kiwoom' | 'kis', api: string | null, path: string, cont: string | null, body: unknown): string {
  return broker === 'kis' ? `${api} ${path}` : `${api} ${path} ${cont ?? ''} ${JSON.stringify(body ?? null)}`;
}

function recordKey(record: RestRecord): string {
  return requestKey(record.broker, record.api, record.path, record.cont, record.request);
}

/** The recorded answer as the transport gave it (KIS records keep no headers). */
function toAnswer(record: RestRecord, at: number): HttpAnswer {
  if (record.error) throw replayedFailure(record);
  return { status: record.status ?? 200, headers: record.headers ?? {}, text: record.body ?? '', json: parseJsonBody(record.body), receivedAt: at };
}

/** The transport failure the live run saw, with its code. */
function replayedFailure(record: RestRecord): TransientError {
  const code = (record.error?.code ?? 'E_NETWORK') as ErrorCode;
  return new TransientError(code in ERROR_CODES ? code : 'E_NETWORK', `replayed: ${record.error?.message ?? 'transport failure'}`);
}
