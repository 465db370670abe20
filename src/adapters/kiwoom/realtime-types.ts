// The one table between the domain's event kinds and Kiwoom's real-time type codes. The app's source
// table reads it for the types to REG, and API 1's `needs.realtime` alias is read back through it.
import type { EventKind, EventNeed } from '../../core/market.js';

/** Decoded kinds and the Kiwoom real-time type that carries each. */
export const WIRE_TYPE = {
  trade: '0B',
  indicative: '0A',
  'program-flow': '0w',
  vi: '1h',
  'stock-info': '0g',
  book: '0D',
} as const satisfies Partial<Record<EventKind, string>>;

export type DecodedKind = keyof typeof WIRE_TYPE;

const KIND_OF_WIRE: ReadonlyMap<string, DecodedKind> = new Map(
  (Object.entries(WIRE_TYPE) as [DecodedKind, string][]).map(([kind, code]) => [code, kind]),
);

/** The need a real-time type code answers: its decoded kind, else `raw:<code>`. */
export function eventNeedOfWireType(code: string): EventNeed {
  return KIND_OF_WIRE.get(code) ?? `raw:${code}`;
}
