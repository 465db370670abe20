import type { Outbox, OutboxRow } from '../../adapters/store/index.js';
import type { MessageContext, NotifyItem, SinkAnswer, SinkClient } from '../../adapters/notify/index.js';
import { equalJitter, honourHint, type ExponentialPolicy } from '../../core/backoff.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import type { RateWindows } from './rate-windows.js';

export interface DispatcherLog {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

export interface DispatcherOptions {
  readonly sink: SinkClient;
  readonly outbox: Outbox;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: DispatcherLog;
  readonly limits: RateWindows;
  readonly message: MessageContext;
  readonly batchMax: number;
  readonly cooldownMs: number;
  readonly giveUpAfterMs: number;
  readonly retry: ExponentialPolicy;
  /** Every notification secret: scrubbed from answers before they reach a log or the outbox. */
  readonly secrets?: readonly string[];
}

export interface DispatcherStats {
  readonly delivered: number;
  readonly messages: number;
  readonly retried: number;
  readonly failed: number;
  readonly skipped: number;
  readonly inFlight: number;
}

export interface Dispatcher {
  readonly name: string;
  /** New rows may be due: read them on the dispatcher's own timer (never in the caller's turn). */
  wake(): void;
  stats(): DispatcherStats;
  /** Stops the timer and the loop; resolves once a send in flight has settled (close the sink first to abort it). */
  close(): Promise<void>;
}

/**
 * One sink's delivery loop over its outbox rows, in `seq` order: head-of-line (a row waiting for a
 * retry holds back the rows behind it, so messages never overtake), several due rows merged into
 * one message, the sink's rate windows kept, retries with equal-jitter backoff that honour the
 * server's hint, 4xx other than 429 dead at once, rows older than the give-up age dead with
 * E_NOTIFY_EXPIRED. A row is marked sent only after the sink acknowledged it: a crash mid-send
 * repeats at most that message, and never one acknowledged before.
 */
export function createDispatcher(o: DispatcherOptions): Dispatcher {
  const { sink, outbox, clock, log } = o;
  let timer: TimerHandle | undefined;
  let running: Promise<void> | null = null;
  let closed = false;
  const lastSentBySymbol = restoreCooldown(o);
  const counts = { delivered: 0, messages: 0, retried: 0, failed: 0, skipped: 0, inFlight: 0 };

  const arm = (ms: number): void => {
    if (closed || timer !== undefined) return;
    timer = clock.setTimeout(() => {
      timer = undefined;
      start();
    }, Math.max(0, Math.ceil(ms)));
  };

  const start = (): void => {
    if (closed || running) return;
    running = pump()
      .catch((err: unknown) => {
        // A database read or a formatting bug: logged with a code, retried later, never thrown.
        log.error({ code: 'E_NOTIFY_INTERNAL', sink: sink.name, err: errorMessage(err) }, `notify ${sink.name}: dispatcher failed; retrying`);
        running = null;
        arm(o.retry.baseMs);
      })
      .finally(() => {
        running = null;
      });
  };

  /** Delivers until nothing is due; leaves a timer for the next due row or rate slot. */
  const pump = async (): Promise<void> => {
    while (!closed) {
      const rows = outbox.pending(sink.name, o.batchMax);
      if (rows.length === 0) return;
      const now = clock.now();
      if (expire(rows, now)) continue;
      const head = rows[0] as OutboxRow;
      if (head.nextAt > now) return arm(head.nextAt - now);
      if (cooldown(rows, now)) continue;
      const wait = o.limits.wait(clock.monotonic());
      if (wait > 0) return arm(wait);

      const message = sink.compose(rows.map(toItem), o.message, now);
      const batch = rows.slice(0, Math.max(1, message.count));
      o.limits.record(clock.monotonic());
      counts.inFlight = batch.length;
      const answer = await sink.send(message);
      counts.inFlight = 0;
      // Aborted by close: the rows stay pending as they were. An acknowledgement is still recorded.
      if (closed && !answer.ok) return;
      settle(batch, answer.ok ? answer : { ...answer, reason: scrub(answer.reason) });
    }
  };

  const secrets = (o.secrets ?? []).filter((s) => s.length >= 6);
  const scrub = (text: string): string => secrets.reduce((t, s) => t.split(s).join('[redacted]'), text);

  const seqs = (rows: readonly OutboxRow[]): number[] => rows.map((r) => r.seq);

  const settle = (batch: readonly OutboxRow[], answer: SinkAnswer): void => {
    const at = clock.now();
    if (answer.ok) {
      outbox.markSent(seqs(batch), at);
      counts.delivered += batch.length;
      counts.messages++;
      for (const r of batch) if (r.signal) lastSentBySymbol.set(r.signal.symbol, at);
      return;
    }
    const fields = { sink: sink.name, code: answer.code, status: answer.status, reason: answer.reason, rows: batch.length, first: batch[0]?.itemId };
    if (!answer.retry) {
      outbox.markDead(seqs(batch), at, `${answer.code} ${answer.reason}`);
      counts.failed += batch.length;
      log.error(fields, `notify ${sink.name}: refused (${answer.reason}); not retried`);
      return;
    }
    const attempt = (batch[0] as OutboxRow).attempts;
    const delay = honourHint(equalJitter(o.retry, attempt, o.random.next()), answer.retryAfterMs);
    outbox.markRetry(seqs(batch), at + delay, `${answer.code} ${answer.reason}`);
    counts.retried += batch.length;
    log.warn({ ...fields, attempt: attempt + 1, retryInMs: delay }, `notify ${sink.name}: ${answer.reason}; retrying in ${Math.round(delay / 1000)} s`);
  };

  /** Rows older than the give-up age go dead; true when any did. */
  const expire = (rows: readonly OutboxRow[], now: number): boolean => {
    const old = rows.filter((r) => now - r.createdAt >= o.giveUpAfterMs);
    if (old.length === 0) return false;
    outbox.markDead(seqs(old), now, `E_NOTIFY_EXPIRED not delivered within ${Math.round(o.giveUpAfterMs / 1000)} s`);
    counts.failed += old.length;
    log.error(
      { code: 'E_NOTIFY_EXPIRED', sink: sink.name, rows: old.length, first: old[0]?.itemId, attempts: old[0]?.attempts },
      `notify ${sink.name}: gave up on ${old.length} notification(s) after ${Math.round(o.giveUpAfterMs / 60_000)} min`,
    );
    return true;
  };

  /** Signals for a symbol this sink notified within the cooldown are skipped; true when any were. */
  const cooldown = (rows: readonly OutboxRow[], now: number): boolean => {
    if (o.cooldownMs <= 0) return false;
    const skip: OutboxRow[] = [];
    const seen = new Map<string, number>();
    for (const r of rows) {
      if (!r.signal) continue;
      const last = seen.get(r.signal.symbol) ?? lastSentBySymbol.get(r.signal.symbol);
      if (last !== undefined && now - last < o.cooldownMs) skip.push(r);
      else seen.set(r.signal.symbol, now);
    }
    if (skip.length === 0) return false;
    outbox.markSkipped(seqs(skip), now, 'cooldown');
    counts.skipped += skip.length;
    return true;
  };

  return {
    name: sink.name,
    wake: () => {
      if (!running) arm(0);
    },
    stats: () => ({ ...counts }),
    close: async () => {
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

/** The symbols this sink notified within the cooldown before a restart, from its sent rows. */
function restoreCooldown(o: DispatcherOptions): Map<string, number> {
  if (o.cooldownMs <= 0) return new Map();
  try {
    return o.outbox.lastSentBySymbol(o.sink.name, o.clock.now() - o.cooldownMs);
  } catch (err) {
    o.log.warn({ code: 'E_NOTIFY_INTERNAL', sink: o.sink.name, err: errorMessage(err) }, `notify ${o.sink.name}: could not read the cooldown state; starting without it`);
    return new Map();
  }
}

function toItem(r: OutboxRow): NotifyItem {
  if (r.kind === 'signal') {
    // A signal row whose signal is gone (deleted by hand) still says which id it was.
    const signal = r.signal ?? { id: r.itemId, sessionId: '', strategy: '?', strategyVersion: '', symbol: '?', venue: 'KRX' as const, kind: 'ALERT' as const, price: null, tsEvent: r.createdAt, tsRecv: r.createdAt, details: {} };
    return { kind: 'signal', id: r.itemId, replay: r.replay, signal };
  }
  const body = parseBody(r.body);
  if (r.kind === 'alert') return { kind: 'alert', id: r.itemId, replay: r.replay, alert: body as never };
  return { kind: 'digest', id: r.itemId, replay: r.replay, digest: body as never };
}

function parseBody(text: string | null): unknown {
  try {
    return JSON.parse(text ?? '{}') as unknown;
  } catch {
    return {};
  }
}
