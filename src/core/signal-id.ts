import type { Exchange } from './market.js';
import type { SignalKind } from './signal.js';

export interface SignalIdParts {
  readonly strategy: string;
  readonly strategyVersion: string;
  readonly symbol: string;
  readonly venue: Exchange;
  readonly kind: SignalKind;
  readonly tsEvent: number;
  /** 0 for the first signal of this strategy at this tsEvent, 1 for the next, ... */
  readonly ordinal: number;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;
const encoder = new TextEncoder();

/**
 * A signal's id: 16 hex digits of FNV-1a 64 over its identifying parts, joined by U+001F in this
 * order: strategy, strategy version, symbol, venue, kind, tsEvent (decimal), ordinal. It leaves out
 * the session id and wall time on purpose, so replaying a recording reproduces the ids and the store
 * can insert idempotently. The venue is part of the instrument: the same signal on 005930 KRX and on
 * 005930 NXT has two ids.
 *
 * @example signalId({ strategy: 'program-momentum', strategyVersion: '1.0.0', symbol: '005930',
 *   venue: 'KRX', kind: 'BUY', tsEvent: 1767225600000, ordinal: 0 }) // always the same 16 hex digits
 */
export function signalId(parts: SignalIdParts): string {
  const text = [parts.strategy, parts.strategyVersion, parts.symbol, parts.venue, parts.kind, parts.tsEvent, parts.ordinal].join('\u001f');
  let hash = FNV_OFFSET;
  for (const byte of encoder.encode(text)) {
    hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_64;
  }
  return hash.toString(16).padStart(16, '0');
}
