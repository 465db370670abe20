import type Database from 'better-sqlite3';
import { doubling } from '../../core/backoff.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Signal } from '../../core/signal.js';
import type { SignalSink } from '../../core/signal-sink.js';
import { openSignalDatabase } from './open-database.js';
import { OUTBOX_INSERT_SQL, type OutboxRouting } from './outbox.js';
import { INSERT_SIGNAL_SQL, toSignalParams, type SessionMode, type SignalParams } from './signal-row.js';
import { silentWarnLog, type WarnLog } from '../../core/logger.js';

export interface SignalStoreOptions {
  readonly file: string;
  /** Drives the retry backoff; a virtual clock in tests. */
  readonly clock: Clock;
  readonly log?: WarnLog;
  /** Most signals held while the database cannot write; beyond it the oldest are dropped. */
  readonly queueLimit: number;
  /** Most rows per transaction (one transaction per event-loop turn). */
  readonly maxBatch?: number;
  /** Runs the commit once the current turn is done; default setImmediate. Tests pass a manual one. */
  readonly schedule?: (fn: () => void) => void;
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  readonly busyTimeoutMs?: number;
  /** Written into every row's `session_mode`; null when not given (tests, tools). */
  readonly sessionMode?: SessionMode;
  /** Which notification sinks want each signal: one outbox row per sink, in the signal's transaction. */
  readonly outbox?: OutboxRouting;
}

export interface SignalStoreStats {
  /** Waiting for a commit. */
  readonly queued: number;
  /** Rows inserted (duplicates excluded). */
  readonly committed: number;
  /** Signals whose id was already stored (INSERT OR IGNORE). */
  readonly duplicates: number;
  /** Failed commit attempts. */
  readonly writeErrors: number;
  /** Dropped because the queue was full, or written after close. */
  readonly dropped: number;
  /** Refused at write() because they were malformed. */
  readonly rejected: number;
  /** Commits run inside write() because a burst filled a whole batch (backpressure on the producer). */
  readonly inlineCommits: number;
  /** Outbox rows written with the signals. */
  readonly outboxRows: number;
}

/** Receives the signals each commit inserted (in write order); an id already stored is not repeated. */
export type CommittedListener = (signals: readonly Signal[]) => void;

export interface SignalStore extends SignalSink {
  /** The store's own connection (for in-process queries and test hooks). */
  readonly database: Database.Database;
  /** Commits everything queued now, synchronously; true when nothing is left queued. */
  flush(): boolean;
  /** Flushes, stops retrying and closes the database. Idempotent. */
  close(): void;
  stats(): SignalStoreStats;
  /** Returns an unsubscribe function. */
  onCommitted(listener: CommittedListener): () => void;
}

interface Pending {
  readonly signal: Signal;
  readonly params: SignalParams;
}

/**
 * The SQLite signal store. `write` queues; the queue is committed in transactions of `maxBatch` rows
 * once the current turn is done. A burst that fills a whole batch is committed inside `write`
 * itself: the producer pays for the disk (backpressure) instead of the queue growing until it drops.
 * When the database cannot write (disk full, read-only, locked) the queue is kept, bounded by
 * `queueLimit`, and retried with backoff; a drop is logged as an error and counted.
 */
export function openSignalStore(options: SignalStoreOptions): SignalStore {
  const clock = options.clock;
  const log = options.log ?? silentWarnLog;
  const queueLimit = Math.max(1, options.queueLimit);
  const maxBatch = Math.max(1, options.maxBatch ?? 1000);
  const schedule = options.schedule ?? ((fn: () => void) => void setImmediate(fn));
  const retryInitialMs = options.retryInitialMs ?? 100;
  const retryMaxMs = options.retryMaxMs ?? 30_000;

  const db = openSignalDatabase(options.file, options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs });
  const insert = db.prepare(INSERT_SIGNAL_SQL);
  const insertOutbox = db.prepare(OUTBOX_INSERT_SQL);
  const sessionMode = options.sessionMode ?? null;
  const routing = options.outbox;
  let outboxRows = 0;
  const insertBatch = db.transaction((batch: readonly Pending[]): Signal[] => {
    const inserted: Signal[] = [];
    const now = routing?.now ? routing.now() : clock.now();
    for (const p of batch) {
      // A signal stored before (a restart re-emitting it) is neither handed on nor notified again.
      if (insert.run(...p.params, sessionMode).changes === 0) continue;
      inserted.push(p.signal);
      if (!routing) continue;
      for (const sink of routing.sinksFor(p.signal)) outboxRows += insertOutbox.run(sink, 'signal', p.signal.id, null, routing.replay ? 1 : 0, now, now).changes;
    }
    return inserted;
  });

  // A queue as an array plus a head index: dropping the oldest and committing are O(1) per item.
  let queue: Pending[] = [];
  let head = 0;
  let scheduled = false;
  let retryTimer: TimerHandle | undefined;
  // The wait before the next retry: doubling from retryInitialMs, capped (src/core/backoff.ts).
  const retryBackoff = { baseMs: retryInitialMs, capMs: retryMaxMs };
  let retryAttempt = 0;
  let retryDelay = doubling(retryBackoff, retryAttempt);
  let failing = false;
  let dropping = false;
  let closed = false;
  const listeners = new Set<CommittedListener>();
  const counts = { committed: 0, duplicates: 0, writeErrors: 0, dropped: 0, rejected: 0, inlineCommits: 0 };

  const queued = (): number => queue.length - head;

  const write = (signal: Signal): void => {
    if (closed) {
      counts.dropped++;
      return;
    }
    let params: SignalParams;
    try {
      params = toSignalParams(signal);
    } catch (err) {
      counts.rejected++;
      log.warn({ code: 'E_STORE_WRITE', reason: errorMessage(err), id: safeId(signal) }, 'malformed signal refused by the store');
      return;
    }
    queue.push({ signal, params });
    // Backpressure: a full batch is committed now, on the producer's time, unless the disk is failing.
    if (queued() >= maxBatch && !failing && retryTimer === undefined) {
      counts.inlineCommits++;
      if (!commitOne()) armRetry();
    }
    if (queued() > queueLimit) dropOldest();
    if (!scheduled && retryTimer === undefined && queued() > 0) {
      scheduled = true;
      schedule(turn);
    }
  };

  const dropOldest = (): void => {
    while (queued() > queueLimit) {
      head++;
      counts.dropped++;
    }
    if (!dropping) {
      dropping = true;
      log.error({ code: 'E_STORE_QUEUE_FULL', queueLimit, dropped: counts.dropped, alert: true }, 'signal queue full; dropping the oldest signals');
    }
  };

  /** One transaction of at most maxBatch rows; false when it failed. */
  const commitOne = (): boolean => {
    const batch = queue.slice(head, head + maxBatch);
    if (batch.length === 0) return true;
    let inserted: Signal[];
    const outboxBefore = outboxRows;
    try {
      inserted = insertBatch(batch);
    } catch (err) {
      outboxRows = outboxBefore; // the transaction rolled back
      counts.writeErrors++;
      failing = true;
      log.error(
        { code: 'E_STORE_WRITE', sqlite: (err as { code?: unknown }).code, err: errorMessage(err), queued: queued(), retryInMs: retryDelay },
        'signal store commit failed; signals kept queued',
      );
      return false;
    }
    head += batch.length;
    if (head > 4096 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    counts.committed += inserted.length;
    counts.duplicates += batch.length - inserted.length;
    if (failing) {
      failing = false;
      log.warn({ code: 'E_STORE_WRITE', committed: batch.length, queued: queued(), dropped: counts.dropped }, 'signal store writing again');
    }
    dropping = false;
    retryAttempt = 0;
    retryDelay = doubling(retryBackoff, retryAttempt);
    if (inserted.length > 0) notify(inserted);
    return true;
  };

  const notify = (signals: readonly Signal[]): void => {
    for (const l of listeners) {
      try {
        l(signals);
      } catch (err) {
        log.warn({ err: errorMessage(err) }, 'onCommitted listener threw');
      }
    }
  };

  const armRetry = (): void => {
    if (retryTimer !== undefined || closed) return;
    const delay = retryDelay;
    retryDelay = doubling(retryBackoff, ++retryAttempt);
    retryTimer = clock.setTimeout(() => {
      retryTimer = undefined;
      turn();
    }, delay);
  };

  const turn = (): void => {
    scheduled = false;
    if (closed) return;
    // Drain the whole queue, a batch per transaction: one batch per turn fell behind a fast producer.
    while (queued() > 0) {
      if (!commitOne()) {
        armRetry();
        return;
      }
    }
  };

  const flush = (): boolean => {
    if (closed) return queued() === 0;
    while (queued() > 0) {
      if (!commitOne()) {
        armRetry();
        return false;
      }
    }
    if (retryTimer !== undefined) {
      clock.clearTimeout(retryTimer);
      retryTimer = undefined;
    }
    return true;
  };

  const close = (): void => {
    if (closed) return;
    flush();
    closed = true;
    if (retryTimer !== undefined) clock.clearTimeout(retryTimer);
    retryTimer = undefined;
    if (queued() > 0) {
      log.error({ code: 'E_STORE_WRITE', lost: queued() }, 'signal store closed with uncommitted signals');
      counts.dropped += queued();
      queue = [];
      head = 0;
    }
    listeners.clear();
    db.close();
  };

  return {
    database: db,
    write,
    flush,
    close,
    stats: () => ({ queued: queued(), ...counts, outboxRows }),
    onCommitted: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function safeId(signal: unknown): string | undefined {
  const id = (signal as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id.slice(0, 200) : undefined;
}
