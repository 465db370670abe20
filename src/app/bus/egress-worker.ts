import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { createRedisStreamsBus } from '../../adapters/bus/redis-streams.js';
import { errorMessage, isKrxError } from '../../core/errors.js';
import type { BusEnvelope } from '../../core/ports/bus.js';
import { BatchReader, type EgressBatch } from './egress-codec.js';
import { topicOf, venueOfEvent } from './egress-topic.js';

/** What the egress's main side (egress.ts) starts this thread with. */
export interface EgressWorkerData {
  readonly url: string;
  readonly stream: string;
  readonly maxLen: number;
  readonly batchMax: number;
  readonly origin: string;
}

export type ToEgressWorker = EgressBatch | { readonly t: 'close' };

/** Worker -> main: a batch handled (its buffer handed back for reuse), a refused append, the end. */
export type FromEgressWorker =
  | { readonly t: 'done'; readonly count: number; readonly published: number; readonly nums: Float64Array }
  | { readonly t: 'failed'; readonly dropped: number; readonly code: string; readonly err: string }
  | { readonly t: 'closed' };

/** The client's connect timeout is 2 s: the first attempt has settled by then. */
const FIRST_ATTEMPT_WAIT_MS = 3000;

/**
 * The egress's worker thread: the Redis client (its own connection) and the envelopes' JSON live
 * here, off the pipeline's thread. Batches are handled one at a time in arrival order; the main
 * side bounds how many wait (egress.ts), so this thread never holds more than `queueLimit` events.
 */
const port = parentPort;
if (port) {
  lowerPriority();
  const data = workerData as EgressWorkerData;
  // Batches wait (bounded by the main side) for the first connection attempt; once it failed, or
  // later while Redis is away, a batch Redis cannot take is dropped at once, never queued offline.
  let settled: () => void = () => undefined;
  const firstAttempt = new Promise<void>((resolve) => {
    settled = resolve;
    setTimeout(resolve, FIRST_ATTEMPT_WAIT_MS).unref();
  });
  const bus = createRedisStreamsBus({ url: data.url, onFirstAttempt: () => settled() });
  const reader = new BatchReader();
  const waiting: EgressBatch[] = [];
  let busy = false;
  let closing = false;

  const refused = (dropped: number, err: unknown, code = isKrxError(err) ? err.code : 'E_BUS_UNAVAILABLE'): void =>
    port.postMessage({ t: 'failed', dropped, code, err: errorMessage(err) } satisfies FromEgressWorker);

  const publish = async (batch: EgressBatch): Promise<number> => {
    const envelopes: BusEnvelope[] = [];
    try {
      reader.read(batch, (event, seq) => {
        envelopes.push({ topic: topicOf(event), kind: event.kind, venue: venueOfEvent(event), tsEvent: event.tsEvent, tsRecv: event.tsRecv, seq, origin: data.origin, payload: JSON.stringify(event) });
      });
    } catch (err) {
      refused(batch.count, err, 'E_INVARIANT'); // an event JSON cannot hold: the batch is dropped and counted, the thread goes on
      return 0;
    }
    let published = 0;
    for (let i = 0; i < envelopes.length; i += data.batchMax) {
      const part = envelopes.slice(i, i + data.batchMax);
      try {
        await bus.append(data.stream, part, data.maxLen);
        published += part.length;
      } catch (err) {
        refused(part.length, err);
      }
    }
    return published;
  };

  const finish = async (): Promise<void> => {
    await bus.close();
    port.postMessage({ t: 'closed' } satisfies FromEgressWorker);
    port.close();
  };

  const pump = async (): Promise<void> => {
    busy = true;
    await firstAttempt;
    for (let batch = waiting.shift(); batch && !closing; batch = waiting.shift()) {
      const published = await publish(batch);
      port.postMessage({ t: 'done', count: batch.count, published, nums: batch.nums } satisfies FromEgressWorker, [batch.nums.buffer as ArrayBuffer]);
    }
    busy = false;
    if (closing) await finish();
  };

  port.on('message', (m: ToEgressWorker) => {
    if (m.t === 'close') {
      closing = true; // the batch in flight settles; what still waits is dropped (the main side counts it)
      if (!busy) void finish();
      return;
    }
    waiting.push(m);
    if (!busy) void pump();
  });
}

/**
 * The egress is best effort: on a busy machine the pipeline's thread must win the CPU, not this one.
 * On Linux a thread has its own nice value (setpriority on its thread id, from /proc/thread-self);
 * elsewhere, or if refused, the thread keeps the process's priority.
 */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, 19);
  } catch {
    // not Linux: same priority as the pipeline
  }
}
