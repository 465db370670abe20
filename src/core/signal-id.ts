import type { SignalKind } from './signal.js';

export interface SignalIdParts {
  readonly strategy: string;
  readonly strategyVersion: string;
  readonly symbol: string;
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
 * A signal's id: 16 hex digits of FNV-1a 64 over its identifying parts. It leaves out the session id
 * and wall time on purpose, so replaying a recording reproduces the ids and the store can insert
 * idempotently.
 *
 * @example signalId({ strategy: 'program-momentum', strategyVersion: '1.0.0', symbol: '005930',
 *   kind: 'BUY', tsEvent: 1767225600000, ordinal: 0 }) // '9f1c...' (always the same)
 */
export function signalId(parts: SignalIdParts): string {
  const text = [parts.strategy, parts.strategyVersion, parts.symbol, parts.kind, parts.tsEvent, parts.ordinal].join('\u001f');
  let hash = FNV_OFFSET;
  for (const byte of encoder.encode(text)) {
    hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_64;
  }
  return hash.toString(16).padStart(16, '0');
}
