import type { Exchange } from '../../core/market.js';
import type { Signal } from '../../core/signal.js';

/** Which kind of session wrote a row: the live broker, the embedded simulator, or a replay. */
export type SessionMode = 'sim' | 'live' | 'replay';

export const SESSION_MODES: readonly SessionMode[] = ['sim', 'live', 'replay'];

/**
 * A signal as stored: `detailsJson` is the canonical JSON text kept byte for byte; `sessionMode` is
 * null for rows written before the column existed (schema version 1).
 */
export type SignalRecord = Omit<Signal, 'details'> & { readonly detailsJson: string; readonly sessionMode: SessionMode | null };

/** The positional parameters of the INSERT, in column order (the session mode is bound separately). */
export type SignalParams = [string, string, string, string, string, Exchange, string, number | null, number, number, string];

export const INSERT_SIGNAL_SQL =
  'INSERT OR IGNORE INTO signals (id, session_id, strategy, strategy_version, symbol, venue, kind, price, ts_event, ts_recv, details, session_mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

export const SIGNAL_VENUES: readonly Exchange[] = ['KRX', 'NXT', 'SOR'];

/**
 * Validates a signal and turns it into INSERT parameters; throws a plain Error on bad input. Done
 * at write() time so one bad signal can never poison a whole batch.
 */
export function toSignalParams(s: Signal): SignalParams {
  for (const k of ['id', 'sessionId', 'strategy', 'strategyVersion', 'symbol', 'kind'] as const) {
    if (typeof s[k] !== 'string' || s[k].length === 0) throw new Error(`signal ${k} must be a non-empty string`);
  }
  if (!SIGNAL_VENUES.includes(s.venue)) throw new Error('signal venue must be KRX, NXT or SOR');
  if (!Number.isSafeInteger(s.tsEvent) || !Number.isSafeInteger(s.tsRecv)) throw new Error('signal tsEvent/tsRecv must be integer epoch ms');
  const price = typeof s.price === 'number' && Number.isFinite(s.price) ? s.price : null;
  return [s.id, s.sessionId, s.strategy, s.strategyVersion, s.symbol, s.venue, s.kind, price, s.tsEvent, s.tsRecv, canonicalJson(s.details ?? {})];
}

/** JSON with object keys sorted at every level, so equal values always give equal bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value, new Set()));
}

function sortKeys(value: unknown, seen: Set<unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) throw new Error('details contain a cycle');
  seen.add(value);
  let out: unknown;
  if (Array.isArray(value)) out = value.map((v) => sortKeys(v, seen));
  else if (typeof (value as { toJSON?: unknown }).toJSON === 'function') out = value;
  else {
    const obj = Object.create(null) as Record<string, unknown>; // so a "__proto__" key stays data
    for (const k of Object.keys(value).sort()) obj[k] = sortKeys((value as Record<string, unknown>)[k], seen);
    out = obj;
  }
  seen.delete(value);
  return out;
}
