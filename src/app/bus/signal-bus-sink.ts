import { type ComposedMessage, type NotifyItem, type SinkAnswer, type SinkClient } from '../../adapters/notify/index.js';
import { errorMessage, isKrxError } from '../../core/errors.js';
import type { BusAdapter, BusEnvelope } from '../../core/ports/bus.js';

export interface SignalBusSinkOptions {
  readonly name: string;
  readonly bus: BusAdapter;
  readonly stream: string;
  readonly maxLen: number;
  readonly dedupeMs: number;
  /** The envelopes' origin: this node. */
  readonly origin: string;
}

/**
 * The outbox's bus sink: each committed signal (and, when opted in, each alert and digest) becomes
 * one envelope XADDed to `stream`. The outbox gives at least once (a row is marked sent only after
 * Redis answered); `appendOnce` makes it at most once per id within the dedupe window, so a retried
 * batch or a restart never doubles an entry. While Redis is away every send answers "retry" and
 * the rows wait in the outbox.
 */
export function createSignalBusSink(o: SignalBusSinkOptions): SinkClient {
  let seq = 0;
  const seqOf = new Map<string, number>(); // an id keeps its seq across retries; forgotten once sent
  const envelopeOf = (item: NotifyItem, sentAt: number): BusEnvelope => {
    const s = seqOf.get(item.id) ?? ++seq;
    seqOf.set(item.id, s);
    if (item.kind === 'signal') {
      const signal = item.signal;
      return { topic: `signals.${signal.strategy}`, kind: 'signal', venue: signal.venue, tsEvent: signal.tsEvent, tsRecv: signal.tsRecv, seq: s, origin: o.origin, payload: JSON.stringify({ ...signal, replay: item.replay }), id: item.id };
    }
    const body = item.kind === 'alert' ? item.alert : item.digest;
    return { topic: `krx.${item.kind}`, kind: item.kind, venue: '', tsEvent: sentAt, tsRecv: sentAt, seq: s, origin: o.origin, payload: JSON.stringify(body), id: item.id };
  };

  return {
    name: o.name,
    type: 'bus',
    compose: (items, _ctx, sentAt): ComposedMessage => ({ count: items.length, body: JSON.stringify(items.map((i) => envelopeOf(i, sentAt))), headers: {} }),
    send: async (message): Promise<SinkAnswer> => {
      const envelopes = JSON.parse(message.body) as BusEnvelope[];
      try {
        await o.bus.appendOnce(o.stream, envelopes, o.maxLen, o.dedupeMs);
        for (const e of envelopes) if (e.id !== undefined) seqOf.delete(e.id);
        return { ok: true, status: 0 };
      } catch (err) {
        return { ok: false, retry: true, code: isKrxError(err) ? err.code : 'E_BUS_UNAVAILABLE', reason: errorMessage(err) };
      }
    },
    close: async () => undefined,
  };
}
