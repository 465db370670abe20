/**
 * The bus (design.md §5.2): append-only streams other processes read, after NautilusTrader's
 * message bus on Redis Streams. One adapter today (src/adapters/bus/redis-streams.ts); every adapter
 * passes the contract suite in test/integration/bus/contract.ts.
 */

/** One entry on a stream. Every field is a plain string on the wire; numbers are decimal. */
export interface BusEnvelope {
  /** `kiwoom.realtime.0B`, `krx.poll.ranking`, `signals.<strategy>`. */
  readonly topic: string;
  /** The payload's kind: 'trade', 'ranking', 'signal', ... */
  readonly kind: string;
  /** KRX, NXT or SOR; '' when the payload has none. */
  readonly venue: string;
  /** Venue time and arrival time, as on the event (epoch ms). */
  readonly tsEvent: number;
  readonly tsRecv: number;
  /** The publisher's sequence on this stream: a gap shows that egress dropped. */
  readonly seq: number;
  /** The publishing node (a session id). */
  readonly origin: string;
  /** The payload as JSON. */
  readonly payload: string;
  /** A signal's id: consumers dedupe on it; the adapter appends one id at most once per dedupe window. */
  readonly id?: string;
}

/** An entry read back: the stream's own entry id (`<ms>-<n>`) and the envelope. */
export interface BusEntry {
  readonly entryId: string;
  readonly envelope: BusEnvelope;
}

/** A consumer group on a stream, as the bus reports it. */
export interface BusGroup {
  readonly name: string;
  readonly consumers: number;
  /** Entries delivered to the group's consumers and not yet acknowledged. */
  readonly pending: number;
  /** Entries not yet delivered to the group (null when the server cannot tell). */
  readonly lag: number | null;
}

export interface BusStatus {
  readonly connected: boolean;
  /** Commands that failed since start (unreachable, refused). */
  readonly errors: number;
}

export interface BusAdapter {
  /**
   * Appends the envelopes in order, trimming the stream to about `maxLen` entries; resolves their
   * entry ids. Rejects (E_BUS_UNAVAILABLE) when the bus cannot take them: never queues offline.
   */
  append(stream: string, envelopes: readonly BusEnvelope[], maxLen: number): Promise<readonly string[]>;
  /**
   * Like append for envelopes carrying an `id`, each appended only if that id was not appended to
   * this stream within `dedupeMs`; resolves how many were new. Makes at-least-once delivery
   * duplicate-free by id.
   */
  appendOnce(stream: string, envelopes: readonly BusEnvelope[], maxLen: number, dedupeMs: number): Promise<number>;
  /**
   * Entries after `afterId` ('0-0' from the start), at most `count`, waiting up to `blockMs` for the
   * first (0: no wait). Entries that are not envelopes are skipped and counted (E_BUS_DECODE).
   */
  read(stream: string, afterId: string, count: number, blockMs: number): Promise<readonly BusEntry[]>;
  /** The stream's length (0 when it does not exist). */
  length(stream: string): Promise<number>;
  /** The stream's consumer groups (none when the stream does not exist). */
  groups(stream: string): Promise<readonly BusGroup[]>;
  status(): BusStatus;
  close(): Promise<void>;
}

const FIELDS = ['topic', 'kind', 'venue', 'tsEvent', 'tsRecv', 'seq', 'origin', 'payload'] as const;

/** The envelope as the flat field/value list a stream entry holds. */
export function envelopeFields(e: BusEnvelope): string[] {
  const out = ['topic', e.topic, 'kind', e.kind, 'venue', e.venue, 'tsEvent', String(e.tsEvent), 'tsRecv', String(e.tsRecv), 'seq', String(e.seq), 'origin', e.origin, 'payload', e.payload];
  if (e.id !== undefined) out.push('id', e.id);
  return out;
}

/** An entry's fields as an envelope, or null when a field is missing or a number is not one. */
export function parseEnvelope(fields: Readonly<Record<string, string>>): BusEnvelope | null {
  for (const f of FIELDS) if (typeof fields[f] !== 'string') return null;
  const num = (f: 'tsEvent' | 'tsRecv' | 'seq'): number => (/^-?\d{1,16}$/.test(fields[f] as string) ? Number(fields[f]) : Number.NaN);
  const tsEvent = num('tsEvent');
  const tsRecv = num('tsRecv');
  const seq = num('seq');
  if (!Number.isSafeInteger(tsEvent) || !Number.isSafeInteger(tsRecv) || !Number.isSafeInteger(seq)) return null;
  const envelope: BusEnvelope = {
    topic: fields['topic'] as string,
    kind: fields['kind'] as string,
    venue: fields['venue'] as string,
    tsEvent,
    tsRecv,
    seq,
    origin: fields['origin'] as string,
    payload: fields['payload'] as string,
  };
  return typeof fields['id'] === 'string' ? { ...envelope, id: fields['id'] } : envelope;
}
