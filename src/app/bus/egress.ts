import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Observable, Subscription } from 'rxjs';
import type { BusConfig } from '../../config/bus-schema.js';
import { packageRoot } from '../../config/package-root.js';
import type { Clock } from '../../core/clock.js';
import { KrxError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { MarketEvent } from '../../core/market.js';
import { BatchWriter, RECORD_SLOTS } from './egress-codec.js';
import { topicOf } from './egress-topic.js';
import type { EgressWorkerData, FromEgressWorker, ToEgressWorker } from './egress-worker.js';

export { topicOf } from './egress-topic.js';

export interface EgressStats {
  readonly stream: string;
  /** Envelopes Redis acknowledged. */
  readonly published: number;
  /** Dropped: the queue was full (Redis slow), the rate bound was reached, or Redis refused a batch (away). */
  readonly dropped: number;
  /** Of `dropped`, those over `maxRate`. */
  readonly overRate: number;
  /** Events taken and not yet acknowledged or dropped (in the buffer, on the way, in the worker). */
  readonly queued: number;
  /** Buffers handed to the worker and not yet back (at most ceil(queueLimit / 1024) + 1). */
  readonly buffers: number;
  /** Events the type filters kept out. */
  readonly filtered: number;
}

export interface Egress {
  stats(): EgressStats;
  /** Stops taking events; waits for the batch in flight (the rest of the queue is dropped). */
  close(): Promise<void>;
}

export interface EgressOptions {
  /** The Redis URL: the egress's worker thread opens its own connection. */
  readonly url: string;
  readonly config: BusConfig['events'];
  readonly origin: string;
  readonly events$: Observable<MarketEvent>;
  readonly clock: Clock;
  readonly log: Logger;
}

/** Records per buffer handed to the worker (a buffer also goes `flushMs` after its first event). */
const BUFFER_RECORDS = 1024;
/** How long close() waits for the worker's batch in flight (a command's own timeout is 5 s). */
const CLOSE_WAIT_MS = 7000;

/**
 * The market events' egress to the bus (design.md §5.2). The pipeline's subscriber only writes the
 * event into a buffer (egress-codec.ts: numbers, no JSON, no clone of a trade) and hands the buffer
 * to a worker thread at the end of the turn; the worker builds the envelopes and talks to Redis
 * (egress-worker.ts). The queue is bounded: with `queueLimit` events taken and not yet
 * acknowledged, a new one is dropped and counted, never waited for; a batch Redis refuses is
 * dropped and counted too. Each envelope takes the next `seq` before the queue, so a consumer sees
 * a gap where egress dropped.
 */
export function startEgress(o: EgressOptions): Egress {
  const { config, log, clock } = o;
  const include = new Set(config.include);
  const exclude = new Set(config.exclude);
  // One answer per kind, and per type of a raw event (a handful): no topic string built per trade.
  const wantedByKind = new Map<string, boolean>();
  const wantedByRawType = new Map<string, boolean>();
  const wanted = (event: MarketEvent): boolean => {
    const cache = event.kind === 'raw' ? wantedByRawType : wantedByKind;
    const key = event.kind === 'raw' ? event.type : event.kind;
    let ok = cache.get(key);
    if (ok === undefined) {
      const topic = topicOf(event);
      ok = !exclude.has(event.kind) && !exclude.has(topic) && (include.size === 0 || include.has(event.kind) || include.has(topic));
      cache.set(key, ok);
    }
    return ok;
  };
  const data: EgressWorkerData = { url: o.url, stream: config.stream, maxLen: config.maxLen, batchMax: config.batchMax, origin: o.origin };
  const worker = new Worker(workerFile(), { workerData: data });
  worker.unref(); // the egress never keeps the process alive

  // Buffers come back from the worker and are used again, so a steady stream allocates none (each
  // is 1024 x 23 doubles, 188 kB, outside the JS heap). At most `maxBuffers` are out at once: while
  // the worker is behind, the turns' events gather in the current buffer instead of each turn sending
  // a mostly empty one, so memory is bounded by buffers, not only by events.
  const capacity = Math.min(BUFFER_RECORDS, config.queueLimit);
  const spare: Float64Array[] = [];
  const maxBuffers = Math.ceil(config.queueLimit / capacity) + 1;
  let buffersOut = 0;
  const writer = new BatchWriter(capacity, () => spare.pop() ?? new Float64Array(capacity * RECORD_SLOTS));
  let seq = 0;
  // The rate bound: a token bucket refilled at each turn's first event (no clock read per event).
  const burst = Math.max(1, Math.round(config.maxRate / 4));
  let tokens = burst;
  let refilledAt = clock.monotonic();
  const refill = (): void => {
    const now = clock.monotonic();
    tokens = Math.min(burst, tokens + ((now - refilledAt) * config.maxRate) / 1000);
    refilledAt = now;
  };
  /** Events posted to the worker and not yet reported. */
  let posted = 0;
  const counts = { published: 0, dropped: 0, filtered: 0, overRate: 0 };
  /** Set at a turn's first event, cleared after the turn: the bucket is refilled once per turn. */
  let inTurn = false;
  /** Pending while the open buffer holds events: it goes at the latest `flushMs` after its first. */
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  let dead = false;
  let lastWarnAt = Number.NEGATIVE_INFINITY;
  let onClosed: (() => void) | null = null;

  const warn = (fields: Record<string, unknown>, msg: string): void => {
    const now = clock.monotonic();
    if (now - lastWarnAt < 10_000) return;
    lastWarnAt = now;
    log.warn({ stream: config.stream, dropped: counts.dropped, ...fields }, msg);
  };

  const endOfTurn = (): void => {
    inTurn = false;
  };

  // Real time, as the turn's setImmediate: batching is about the Redis round trips, not market time
  // (a daemon on a virtual clock still publishes without anyone ticking it).
  const scheduleFlush = (): void => {
    flushTimer = setTimeout(flush, config.flushMs);
    flushTimer.unref(); // the egress never keeps the process alive
  };

  const flush = (): void => {
    if (flushTimer !== null) {
      clearTimeout(flushTimer);
      flushTimer = null;
    }
    if (writer.size === 0 || closed || buffersOut >= maxBuffers) return;
    const batch = writer.take();
    buffersOut++;
    posted += batch.count;
    worker.postMessage(batch satisfies ToEgressWorker, [batch.nums.buffer as ArrayBuffer]);
  };

  const giveUp = (): void => {
    counts.dropped += posted + writer.size;
    posted = 0;
    buffersOut = 0;
    if (writer.size > 0) writer.take();
    onClosed?.();
  };

  worker.on('message', (m: FromEgressWorker) => {
    if (m.t === 'done') {
      posted -= m.count;
      buffersOut--;
      counts.published += m.published;
      counts.dropped += m.count - m.published;
      spare.push(m.nums);
      // What gathered while every buffer was out goes now (after this turn if the pipeline is in one).
      if (writer.size > 0 && flushTimer === null) scheduleFlush();
    } else if (m.t === 'failed') {
      warn({ code: m.code, err: m.err }, 'bus egress: batch dropped');
    } else {
      giveUp();
    }
  });
  worker.on('error', (err) => {
    dead = true;
    log.error({ code: 'E_BUS_UNAVAILABLE', stream: config.stream, err: err.message }, 'bus egress: the worker thread failed; market events are dropped from now on');
    giveUp();
  });
  worker.on('exit', () => {
    dead = true;
    giveUp();
  });

  const subscription: Subscription = o.events$.subscribe({
    next: (event) => {
      if (!wanted(event)) {
        counts.filtered++;
        return;
      }
      seq++;
      if (!inTurn) {
        inTurn = true;
        refill();
        setImmediate(endOfTurn);
      }
      if (tokens < 1) {
        counts.dropped++;
        counts.overRate++;
        return;
      }
      if (dead || posted + writer.size >= config.queueLimit || writer.full()) {
        counts.dropped++;
        return;
      }
      tokens--;
      writer.add(event, seq);
      if (writer.full()) flush();
      // Gathered for up to flushMs (never sent inside the pipeline's turn): at a high rate a batch is
      // hundreds of events, not the few of one turn, and each costs a message and a round trip.
      else if (flushTimer === null) scheduleFlush();
    },
    error: () => undefined, // the stream's owner logs its own errors
  });

  return {
    stats: () => ({ stream: config.stream, published: counts.published, dropped: counts.dropped, overRate: counts.overRate, queued: posted + writer.size, buffers: buffersOut, filtered: counts.filtered }),
    close: async () => {
      subscription.unsubscribe();
      if (closed) return;
      flush(); // what was gathered still goes (the worker drops it if Redis is away)
      closed = true;
      if (dead) return;
      const done = new Promise<void>((resolve) => (onClosed = resolve));
      worker.postMessage({ t: 'close' } satisfies ToEgressWorker);
      const timer = setTimeout(() => void worker.terminate(), CLOSE_WAIT_MS);
      await done;
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}

/** The worker's module: next to this one when built; dist/ when this module runs as TypeScript (vitest). */
function workerFile(): URL {
  if (!fileURLToPath(import.meta.url).endsWith('.ts')) return new URL('./egress-worker.js', import.meta.url);
  const built = join(packageRoot(), 'dist', 'src', 'app', 'bus', 'egress-worker.js');
  if (!existsSync(built)) throw new KrxError('E_INVARIANT', `the bus egress worker is not built (${built}): run npm run build`);
  return pathToFileURL(built);
}
