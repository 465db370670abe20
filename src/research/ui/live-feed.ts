import type { ServerResponse } from 'node:http';
import type Database from 'better-sqlite3';
import { openSignalDatabaseReadOnly } from '../../adapters/store/index.js';

/**
 * Server-sent events of the live daemon's new signals: the signals DB is polled read-only (WAL lets
 * a reader see each commit without blocking the daemon); rowid order is commit order.
 */
interface LiveRow {
  seq: number;
  id: string;
  session_id: string;
  strategy: string;
  symbol: string;
  kind: string;
  price: number | null;
  ts_event: number;
  details: string;
}

const FIRST_BATCH = 20;
const MAX_BATCH = 500;

export interface LiveFeed {
  /** Stops polling and ends the response. */
  close(): void;
}

export function streamLiveSignals(dbFile: string, res: ServerResponse, pollMs: number): LiveFeed {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
  res.write('retry: 2000\n\n');
  let db: Database.Database | null = null;
  let last = -1;
  let closed = false;
  const send = (r: LiveRow): void => {
    const signal = { id: r.id, sessionId: r.session_id, strategy: r.strategy, symbol: r.symbol, kind: r.kind, price: r.price, tsEvent: r.ts_event, details: safeJson(r.details) };
    res.write(`event: signal\nid: ${r.seq}\ndata: ${JSON.stringify(signal)}\n\n`);
  };
  const poll = (): void => {
    if (closed) return;
    try {
      db ??= openSignalDatabaseReadOnly(dbFile);
      if (last < 0) {
        const rows = db.prepare(`SELECT rowid AS seq, * FROM signals ORDER BY rowid DESC LIMIT ${FIRST_BATCH}`).all() as LiveRow[];
        last = rows[0]?.seq ?? 0;
        for (const r of rows.reverse()) send(r);
      } else {
        const rows = db.prepare(`SELECT rowid AS seq, * FROM signals WHERE rowid > ? ORDER BY rowid LIMIT ${MAX_BATCH}`).all(last) as LiveRow[];
        for (const r of rows) send(r);
        last = rows.at(-1)?.seq ?? last;
      }
      res.write(': poll\n\n');
    } catch {
      // No DB yet (the daemon has not started) or a moment of contention: try again next tick.
      db?.close();
      db = null;
    }
  };
  poll();
  const timer = setInterval(poll, pollMs);
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    db?.close();
    res.end();
  };
  res.on('close', close);
  return { close };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
