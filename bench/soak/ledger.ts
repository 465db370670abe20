import { Writable } from 'node:stream';
import { openSignalDatabaseReadOnly, querySignals } from '../../src/adapters/store/index.js';
import type { Daemon } from '../../src/app/daemon.js';

/**
 * Watches the daemon's JSON log lines: the committed-signal lines, decode errors and anything
 * unexpected, so a run can be checked against the signal database at the end.
 */
export interface LogLedger {
  /** The pino destination to give the daemon's logger. */
  readonly destination: Writable;
  /** Every line, parsed (kept only when `keepLines`). */
  readonly lines: Array<Record<string, unknown>>;
  /** Ids of the `signal` lines (one per signal the sink was given, at commit). */
  readonly loggedSignalIds: string[];
  /** Lines at level error or fatal. */
  readonly errors: Array<Record<string, unknown>>;
}

export function createLogLedger(options: { keepLines?: boolean; onLine?: (raw: string) => void } = {}): LogLedger {
  const lines: Array<Record<string, unknown>> = [];
  const loggedSignalIds: string[] = [];
  const errors: Array<Record<string, unknown>> = [];
  let partial = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      for (const raw of parts) {
        if (raw === '') continue;
        options.onLine?.(raw);
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          errors.push({ unparsable: raw.slice(0, 200) });
          continue;
        }
        if (options.keepLines) lines.push(line);
        if (line.event === 'signal' && typeof line.id === 'string') loggedSignalIds.push(line.id);
        if (line.level === 'error' || line.level === 'fatal') errors.push(line);
      }
      callback();
    },
  });
  return { destination, lines, loggedSignalIds, errors };
}

export interface SignalAudit {
  /** Signals the strategies had accepted and handed to the sink (host stats). */
  readonly given: number;
  /** Rows of this session in the database. */
  readonly rows: number;
  /** Given to the sink but not in the database (given - rows, and logged ids missing from the DB). */
  readonly lost: number;
  /** Rows or commit lines that appear more than once, plus the store's idempotent-insert duplicates. */
  readonly duplicated: number;
}

/**
 * Compares what the sink was given with the database after the daemon stopped: every signal must
 * be there exactly once. `dbFile` is the daemon's signal database.
 */
export function auditSignals(daemon: Daemon, given: number, ledger: LogLedger, dbFile: string): SignalAudit {
  const db = openSignalDatabaseReadOnly(dbFile);
  const rows = querySignals(db, { sessionId: daemon.sessionId });
  db.close();
  const ids = new Set(rows.map((r) => r.id));
  const contentKeys = new Set(rows.map((r) => `${r.strategy}|${r.symbol}|${r.kind}|${r.tsEvent}|${r.price ?? ''}|${r.detailsJson}`));
  const loggedUnique = new Set(ledger.loggedSignalIds);
  const missingLogged = [...loggedUnique].filter((id) => !ids.has(id)).length;
  const duplicated =
    rows.length - ids.size + (rows.length - contentKeys.size) + (ledger.loggedSignalIds.length - loggedUnique.size) + daemon.store.stats().duplicates;
  return { given, rows: rows.length, lost: Math.max(0, given - rows.length) + missingLogged, duplicated };
}

/** Signals the strategy host handed to the sink so far. */
export function signalsGiven(daemon: Daemon): number {
  return daemon.kernel.strategyStats().reduce((n, s) => n + s.signals, 0);
}
