import type { KisTransport } from '../../adapters/kis/transport.js';
import type { HttpTransport } from '../../adapters/kiwoom/transport.js';
import { TransientError, type ErrorCode, ERROR_CODES } from '../../core/errors.js';
import { parseJsonBody, type HttpAnswer } from '../../net/http-transport.js';
import type { RestRecord } from '../recording-transports.js';

interface Waiter {
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
 * Serves recorded REST answers to the same REST clients the live run used, in recorded order per
 * broker. A request waits until the replay reaches its answer's recorded arrival; an answer that
 * comes before its request (timing drift) waits for it. A request that does not match the next
 * recorded answer is a divergence: counted and logged, and the answer is served anyway.
 */
export class RecordedRest {
  private readonly waiting = { kiwoom: [] as Waiter[], kis: [] as Waiter[] };
  private readonly early = { kiwoom: [] as Array<{ record: RestRecord; at: number }>, kis: [] as Array<{ record: RestRecord; at: number }> };
  readonly divergences: ReplayDivergence[] = [];
  answered = 0;

  constructor(private readonly onDivergence: (d: ReplayDivergence) => void = () => undefined) {}

  /** The replay reached a recorded answer. */
  deliver(record: RestRecord, at: number): void {
    const waiter = this.waiting[record.broker].shift();
    if (waiter) this.serve(waiter, record, at);
    else this.early[record.broker].push({ record, at });
  }

  /** Requests still waiting (a replay that ends with some was cut short in the live run). */
  pending(): number {
    return this.waiting.kiwoom.length + this.waiting.kis.length;
  }

  kiwoomTransport(): HttpTransport {
    return {
      post: (path, headers) =>
        this.request('kiwoom', headers['api-id'] ?? null, path).then(({ record, at }) => toAnswer(record, at)),
      close: async () => undefined,
    };
  }

  kisTransport(): KisTransport {
    return {
      get: (path, _query, headers) => this.request('kis', headers['tr_id'] ?? null, path).then(({ record, at }) => toAnswer(record, at)),
      post: () => Promise.reject(new TransientError('E_NETWORK', 'replay: token calls are not replayed')),
      close: async () => undefined,
    };
  }

  private request(broker: 'kiwoom' | 'kis', api: string | null, path: string): Promise<{ record: RestRecord; at: number }> {
    return new Promise((resolve) => {
      const waiter: Waiter = { api, path, resolve: (record, at) => resolve({ record, at }) };
      const ready = this.early[broker].shift();
      if (ready) this.serve(waiter, ready.record, ready.at);
      else this.waiting[broker].push(waiter);
    });
  }

  private serve(waiter: Waiter, record: RestRecord, at: number): void {
    this.answered++;
    if (waiter.api !== record.api || waiter.path !== record.path) {
      const d = { broker: record.broker, expected: `${record.api} ${record.path}`, got: `${waiter.api} ${waiter.path}` };
      this.divergences.push(d);
      this.onDivergence(d);
    }
    waiter.resolve(record, at);
  }
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
