import type { Observable, Subscription } from 'rxjs';
import type { BusConfig } from '../../config/bus-schema.js';
import type { Clock } from '../../core/clock.js';
import { errorMessage, isKrxError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { MarketEvent } from '../../core/market.js';
import type { BusAdapter, BusEnvelope } from '../../core/ports/bus.js';

export interface EgressStats {
  readonly stream: string;
  /** Envelopes Redis acknowledged. */
  readonly published: number;
  /** Dropped: the queue was full (Redis slow) or Redis refused a batch (away). */
  readonly dropped: number;
  readonly queued: number;
  /** Events the type filters kept out. */
  readonly filtered: number;
}

export interface Egress {
  stats(): EgressStats;
  /** Stops taking events; waits for the batch in flight (the rest of the queue is dropped). */
  close(): Promise<void>;
}

export interface EgressOptions {
  readonly bus: BusAdapter;
  readonly config: BusConfig['events'];
  readonly origin: string;
  readonly events$: Observable<MarketEvent>;
  readonly clock: Clock;
  readonly log: Logger;
}

/** The wire type of a real-time event (Kiwoom's pub/sub naming); poll results are `krx.<kind>`. */
export function topicOf(event: MarketEvent): string {
  if (event.kind === 'trade') return 'kiwoom.realtime.0B';
  if (event.kind === 'indicative') return 'kiwoom.realtime.0A';
  if (event.kind === 'raw') return `kiwoom.realtime.${event.type}`;
  return `krx.${event.kind}`;
}

function venueOfEvent(event: MarketEvent): string {
  const venue = (event as { venue?: unknown }).venue;
  return typeof venue === 'string' ? venue : '';
}

/**
 * The market events' egress to the bus (design.md §5.2): the pipeline's subscriber only pushes onto
 * a bounded queue (never awaits Redis); a separate loop drains it with batched XADDs. A full queue
 * or a refused batch drops and counts: the pipeline is never slowed. Each envelope takes the next
 * `seq` before the queue, so a consumer sees a gap where egress dropped.
 */
export function startEgress(o: EgressOptions): Egress {
  const { bus, config, log, clock } = o;
  const include = new Set(config.include);
  const exclude = new Set(config.exclude);
  const wanted = (kind: string, topic: string): boolean =>
    !exclude.has(kind) && !exclude.has(topic) && (include.size === 0 || include.has(kind) || include.has(topic));
  const queue: BusEnvelope[] = [];
  let head = 0; // queue[head..] are waiting: shift() per event would be O(n)
  let seq = 0;
  const counts = { published: 0, dropped: 0, filtered: 0 };
  let draining: Promise<void> | null = null;
  let closed = false;
  let lastWarnAt = Number.NEGATIVE_INFINITY;

  const drain = async (): Promise<void> => {
    while (!closed && head < queue.length) {
      const batch = queue.slice(head, head + config.batchMax);
      head += batch.length;
      if (head === queue.length) {
        queue.length = 0;
        head = 0;
      }
      try {
        await bus.append(config.stream, batch, config.maxLen);
        counts.published += batch.length;
      } catch (err) {
        counts.dropped += batch.length;
        const now = clock.monotonic();
        if (now - lastWarnAt >= 10_000) {
          lastWarnAt = now;
          log.warn({ code: isKrxError(err) ? err.code : 'E_BUS_UNAVAILABLE', stream: config.stream, dropped: counts.dropped, err: errorMessage(err) }, 'bus egress: batch dropped');
        }
      }
    }
  };

  const kick = (): void => {
    if (draining || closed) return;
    // A microtask later: never in the pipeline's turn, and the events of one turn go in one batch.
    draining = Promise.resolve()
      .then(drain)
      .finally(() => {
        draining = null;
        if (head < queue.length) kick();
      });
  };

  const subscription: Subscription = o.events$.subscribe({
    next: (event) => {
      const topic = topicOf(event);
      if (!wanted(event.kind, topic)) {
        counts.filtered++;
        return;
      }
      seq++;
      if (queue.length - head >= config.queueLimit) {
        counts.dropped++;
        return;
      }
      queue.push({ topic, kind: event.kind, venue: venueOfEvent(event), tsEvent: event.tsEvent, tsRecv: event.tsRecv, seq, origin: o.origin, payload: JSON.stringify(event) });
      kick();
    },
    error: () => undefined, // the stream's owner logs its own errors
  });

  return {
    stats: () => ({ stream: config.stream, published: counts.published, dropped: counts.dropped, queued: queue.length - head, filtered: counts.filtered }),
    close: async () => {
      subscription.unsubscribe();
      closed = true; // the batch in flight settles; the rest of the queue is dropped
      await draining;
    },
  };
}
