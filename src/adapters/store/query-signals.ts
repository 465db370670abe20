import type Database from 'better-sqlite3';
import type { SignalKind } from '../../core/signal.js';
import type { Exchange } from '../../core/market.js';
import { SESSION_MODES, SIGNAL_VENUES, type SessionMode, type SignalRecord } from './signal-row.js';

export interface SignalQuery {
  /** Inclusive lower bound on tsEvent (epoch ms). */
  readonly since?: number;
  /** Exclusive upper bound on tsEvent (epoch ms). */
  readonly until?: number;
  readonly strategy?: string;
  readonly symbol?: string;
  /** Only this venue's signals (a database from before the venue column holds KRX rows only). */
  readonly venue?: Exchange;
  readonly sessionId?: string;
  readonly limit?: number;
}

interface Row {
  id: string;
  session_id: string;
  strategy: string;
  strategy_version: string;
  symbol: string;
  /** Absent in a database from before schema 4 (read-only opens never migrate): its rows are KRX. */
  venue?: string;
  kind: string;
  price: number | null;
  ts_event: number;
  ts_recv: number;
  details: string;
  /** Absent in a schema-1 database (read-only opens never migrate), NULL in its migrated rows. */
  session_mode?: string | null;
}

/** Stored signals matching every given filter, ordered by (tsEvent, id): a total, stable order. */
export function querySignals(db: Database.Database, query: SignalQuery = {}): SignalRecord[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (sql: string, value: string | number | undefined): void => {
    if (value === undefined) return;
    where.push(sql);
    params.push(value);
  };
  add('ts_event >= ?', query.since);
  add('ts_event < ?', query.until);
  add('strategy = ?', query.strategy);
  add('symbol = ?', query.symbol);
  if (query.venue !== undefined && !hasVenueColumn(db)) {
    if (query.venue !== 'KRX') where.push('0');
  } else add('venue = ?', query.venue);
  add('session_id = ?', query.sessionId);
  let sql = 'SELECT * FROM signals';
  if (where.length > 0) sql += ` WHERE ${where.join(' AND ')}`;
  sql += ' ORDER BY ts_event, id';
  if (query.limit !== undefined) {
    sql += ' LIMIT ?';
    params.push(Math.max(0, Math.floor(query.limit)));
  }
  return (db.prepare(sql).all(...params) as Row[]).map(toRecord);
}

function toRecord(r: Row): SignalRecord {
  return {
    id: r.id,
    sessionId: r.session_id,
    strategy: r.strategy,
    strategyVersion: r.strategy_version,
    symbol: r.symbol,
    venue: SIGNAL_VENUES.includes(r.venue as Exchange) ? (r.venue as Exchange) : 'KRX',
    kind: r.kind as SignalKind,
    price: r.price,
    tsEvent: r.ts_event,
    tsRecv: r.ts_recv,
    detailsJson: r.details,
    sessionMode: SESSION_MODES.includes(r.session_mode as SessionMode) ? (r.session_mode as SessionMode) : null,
  };
}

function hasVenueColumn(db: Database.Database): boolean {
  return (db.pragma('table_info(signals)') as { name: string }[]).some((c) => c.name === 'venue');
}
