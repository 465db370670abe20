import type Database from 'better-sqlite3';
import type { Signal, SignalKind } from '../../core/signal.js';

/** Which sinks want a signal; the store asks it inside the signal's own transaction. */
export interface OutboxRouting {
  sinksFor(signal: Signal): readonly string[];
  /** Rows written by a replay run with `--notify` are marked, so messages say so. */
  readonly replay?: boolean;
  /** The wall clock stamping the rows (created_at, the give-up age's start); default the store's clock. A replay's clock is the recording's. */
  readonly now?: () => number;
}

export type OutboxKind = 'signal' | 'alert' | 'digest';
export type OutboxState = 'pending' | 'sent' | 'dead' | 'skipped';

/** (sink, kind, item_id, body, replay, created_at, next_at); a second row for the same item and sink is ignored. */
export const OUTBOX_INSERT_SQL =
  'INSERT OR IGNORE INTO outbox (sink, kind, item_id, body, replay, created_at, next_at) VALUES (?, ?, ?, ?, ?, ?, ?)';

/** A pending row as the dispatcher reads it; `signal` is joined from the signals table for kind 'signal'. */
export interface OutboxRow {
  readonly seq: number;
  readonly sink: string;
  readonly kind: OutboxKind;
  readonly itemId: string;
  readonly body: string | null;
  readonly replay: boolean;
  readonly attempts: number;
  readonly createdAt: number;
  readonly nextAt: number;
  readonly signal: Signal | null;
}

export interface OutboxSinkStats {
  readonly pending: number;
  /** created_at of the oldest pending row, or null. */
  readonly oldestPendingAt: number | null;
}

/**
 * The outbox's reads and state changes, on the store's own connection (one writer). Each call is one
 * short statement or transaction; none waits on the network.
 */
export interface Outbox {
  /** The first pending rows of a sink, in `seq` order (delivery order). */
  pending(sink: string, limit: number): OutboxRow[];
  markSent(seqs: readonly number[], at: number): void;
  /** Another attempt later: attempts + 1, next_at, the last error (a code and a short reason, never a secret). */
  markRetry(seqs: readonly number[], nextAt: number, error: string): void;
  markDead(seqs: readonly number[], at: number, error: string): void;
  markSkipped(seqs: readonly number[], at: number, reason: string): void;
  /** An alert or digest row for each sink; false when already there (idempotent by item id). */
  enqueue(sinks: readonly string[], kind: Exclude<OutboxKind, 'signal'>, itemId: string, body: string, at: number): number;
  stats(sink: string): OutboxSinkStats;
  /**
   * When the sink last delivered a signal for each symbol, among rows sent at or after `since`: the
   * per-symbol cooldown carried across a restart.
   */
  lastSentBySymbol(sink: string, since: number): Map<string, number>;
  /** Every sink with rows in the outbox (configured or not), in name order. */
  sinks(): string[];
  /**
   * Deletes finished rows (sent, skipped, dead) of one sink that finished before `before`: walks each
   * state's rows in `seq` order (the index) and deletes the old ones at the front, at most `limit`
   * rows looked at per state, so one call is a short transaction. Returns the rows deleted and whether
   * a full `limit` of old rows was found (call again).
   */
  prune(sink: string, before: number, limit: number): { readonly deleted: number; readonly more: boolean };
}

/** The states a row never leaves: pruned once older than the retention. */
const FINISHED: readonly OutboxState[] = ['sent', 'skipped', 'dead'];

interface JoinedRow {
  seq: number;
  sink: string;
  kind: string;
  item_id: string;
  body: string | null;
  replay: number;
  attempts: number;
  created_at: number;
  next_at: number;
  s_id: string | null;
  session_id: string | null;
  strategy: string | null;
  strategy_version: string | null;
  symbol: string | null;
  venue: string | null;
  s_kind: string | null;
  price: number | null;
  ts_event: number | null;
  ts_recv: number | null;
  details: string | null;
}

export function createOutbox(db: Database.Database): Outbox {
  const pendingStmt = db.prepare(`
    SELECT o.seq, o.sink, o.kind, o.item_id, o.body, o.replay, o.attempts, o.created_at, o.next_at,
           s.id AS s_id, s.session_id, s.strategy, s.strategy_version, s.symbol, s.venue, s.kind AS s_kind, s.price, s.ts_event, s.ts_recv, s.details
    FROM outbox o LEFT JOIN signals s ON o.kind = 'signal' AND s.id = o.item_id
    WHERE o.sink = ? AND o.state = 'pending' ORDER BY o.seq LIMIT ?`);
  const setState = (state: OutboxState) =>
    db.prepare(`UPDATE outbox SET state = '${state}', done_at = ?, last_error = ? WHERE seq = ? AND state = 'pending'`);
  const sentStmt = setState('sent');
  const deadStmt = setState('dead');
  const skippedStmt = setState('skipped');
  const retryStmt = db.prepare(`UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE seq = ? AND state = 'pending'`);
  const insertStmt = db.prepare(OUTBOX_INSERT_SQL);
  // Pending rows only (the index): sent rows accumulate for a month and are not counted at every scrape.
  const countStmt = db.prepare(`SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE sink = ? AND state = 'pending'`);

  const lastSentStmt = db.prepare(`
    SELECT s.symbol AS symbol, max(o.done_at) AS at FROM outbox o JOIN signals s ON s.id = o.item_id
    WHERE o.sink = ? AND o.state = 'sent' AND o.kind = 'signal' AND o.done_at >= ? GROUP BY s.symbol`);
  // A distinct scan that jumps from one sink to the next through the index (sinks x log rows, not rows).
  const sinksStmt = db.prepare(`
    WITH RECURSIVE s(name) AS (SELECT min(sink) FROM outbox UNION ALL SELECT (SELECT min(sink) FROM outbox WHERE sink > s.name) FROM s WHERE s.name IS NOT NULL)
    SELECT name FROM s WHERE name IS NOT NULL`);
  const frontStmt = db.prepare(`SELECT seq, done_at FROM outbox WHERE sink = ? AND state = ? ORDER BY seq LIMIT ?`);
  const deleteStmt = db.prepare(`DELETE FROM outbox WHERE seq = ?`);
  const prune = db.transaction((sink: string, before: number, limit: number) => {
    let deleted = 0;
    let more = false;
    for (const state of FINISHED) {
      const front = frontStmt.all(sink, state, limit) as { seq: number; done_at: number | null }[];
      // Rows finish in seq order (delivery is in order), so the old ones are the front; stop at the first young one.
      let n = 0;
      for (const row of front) {
        if (row.done_at === null || row.done_at >= before) break;
        deleteStmt.run(row.seq);
        n++;
      }
      deleted += n;
      if (n === limit) more = true;
    }
    return { deleted, more };
  });

  const eachTx = db.transaction((stmt: Database.Statement, seqs: readonly number[], a: unknown, b: unknown) => {
    for (const seq of seqs) stmt.run(a, b, seq);
  });
  // A delivery's state change is committed without its own fsync (the connection's next signal commit,
  // synchronous=FULL, syncs the WAL with it): it runs on the event loop, and a mark lost to a power cut
  // costs at most one message sent again, which at-least-once delivery allows.
  const durable = db.pragma('synchronous', { simple: true }) as number;
  const each = (stmt: Database.Statement, seqs: readonly number[], a: unknown, b: unknown): void => {
    if (db.inTransaction) return void eachTx(stmt, seqs, a, b);
    db.pragma('synchronous = NORMAL');
    try {
      eachTx(stmt, seqs, a, b);
    } finally {
      db.pragma(`synchronous = ${durable}`);
    }
  };

  return {
    pending: (sink, limit) => (pendingStmt.all(sink, limit) as JoinedRow[]).map(toRow),
    markSent: (seqs, at) => each(sentStmt, seqs, at, null),
    markRetry: (seqs, nextAt, error) => each(retryStmt, seqs, nextAt, error.slice(0, 500)),
    markDead: (seqs, at, error) => each(deadStmt, seqs, at, error.slice(0, 500)),
    markSkipped: (seqs, at, reason) => each(skippedStmt, seqs, at, reason.slice(0, 500)),
    enqueue: (sinks, kind, itemId, body, at) => {
      let n = 0;
      db.transaction(() => {
        for (const sink of sinks) n += insertStmt.run(sink, kind, itemId, body, 0, at, at).changes;
      })();
      return n;
    },
    stats: (sink) => {
      const r = countStmt.get(sink) as { n: number; oldest: number | null };
      return { pending: r.n, oldestPendingAt: r.oldest };
    },
    lastSentBySymbol: (sink, since) => new Map((lastSentStmt.all(sink, since) as { symbol: string; at: number }[]).map((r) => [r.symbol, r.at])),
    sinks: () => (sinksStmt.all() as { name: string }[]).map((r) => r.name),
    prune: (sink, before, limit) => prune(sink, before, Math.max(1, limit)),
  };
}

function toRow(r: JoinedRow): OutboxRow {
  const signal: Signal | null =
    r.kind === 'signal' && r.s_id !== null
      ? {
          id: r.s_id,
          sessionId: r.session_id ?? '',
          strategy: r.strategy ?? '',
          strategyVersion: r.strategy_version ?? '',
          symbol: r.symbol ?? '',
          venue: r.venue === 'NXT' || r.venue === 'SOR' ? r.venue : 'KRX',
          kind: (r.s_kind ?? 'ALERT') as SignalKind,
          price: r.price,
          tsEvent: r.ts_event ?? 0,
          tsRecv: r.ts_recv ?? 0,
          details: parseDetails(r.details),
        }
      : null;
  return {
    seq: r.seq,
    sink: r.sink,
    kind: r.kind === 'alert' || r.kind === 'digest' ? r.kind : 'signal',
    itemId: r.item_id,
    body: r.body,
    replay: r.replay === 1,
    attempts: r.attempts,
    createdAt: r.created_at,
    nextAt: r.next_at,
    signal,
  };
}

function parseDetails(text: string | null): Readonly<Record<string, unknown>> {
  if (text === null) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
