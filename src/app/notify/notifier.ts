import type Database from 'better-sqlite3';
import type { AlertBody, DigestBody, MessageContext } from '../../adapters/notify/index.js';
import { createOutbox, type Outbox } from '../../adapters/store/index.js';
import type { NotifyConfig, NotifySinkSecrets } from '../../config/notify-schema.js';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import { buildSinkClient, sinkRateWindows, type SinkBus } from './build-sink.js';
import { createDispatcher, type Dispatcher, type DispatcherLog } from './dispatcher.js';
import { startOutboxPruner } from './outbox-pruner.js';
import { createRateWindows } from './rate-windows.js';

export interface NotifierOptions {
  readonly config: NotifyConfig;
  readonly secrets: Readonly<Record<string, NotifySinkSecrets>>;
  /** The signal store's connection: the outbox lives beside the signals. */
  readonly database: Database.Database;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: DispatcherLog;
  readonly nameOf?: (symbol: string) => string | undefined;
  readonly phaseOf?: (epochMs: number) => string | undefined;
  /** The bus connection, for sinks of type "bus". */
  readonly bus?: SinkBus;
}

export interface SinkStatus {
  readonly name: string;
  readonly type: string;
  /** Pending outbox rows. */
  readonly depth: number;
  readonly oldestPendingAgeMs: number | null;
  readonly delivered: number;
  readonly retried: number;
  readonly failed: number;
  readonly skipped: number;
}

export interface Notifier {
  readonly sinkNames: readonly string[];
  /** Called after each commit (and after an alert): every dispatcher reads its due rows on its own timer. */
  wake(): void;
  status(): SinkStatus[];
  /** Rows being sent right now, over every sink. */
  inFlight(): number;
  /** Sinks that opted in to alerts / the digest. */
  alert(id: string, body: AlertBody): void;
  digest(id: string, body: DigestBody): void;
  /** `/healthz` reasons: a sink whose oldest pending row is older than `staleSeconds`. */
  degradedReasons(): string[];
  close(): Promise<void>;
}

/** The dispatchers of every enabled sink, over the store's outbox. Starts them: pending rows resume at once. */
export function startNotifier(o: NotifierOptions): Notifier {
  const { config, clock } = o;
  const outbox: Outbox = createOutbox(o.database);
  const sinks = config.sinks.filter((s) => s.enabled);
  const allSecrets = Object.values(o.secrets).flatMap((s) => [...secretFragments(s.primary), ...(s.hmacKey ? [s.hmacKey] : [])]);
  const entries = sinks.map((sink, i) => {
    const client = buildSinkClient(sink, o.secrets[sink.name], clock, o.bus);
    const message: MessageContext = {
      language: sink.language ?? config.language,
      ...(o.nameOf ? { nameOf: o.nameOf } : {}),
      ...(o.phaseOf ? { phaseOf: o.phaseOf } : {}),
    };
    const dispatcher: Dispatcher = createDispatcher({
      sink: client,
      outbox,
      clock,
      random: o.random.fork(`notify-${i}-${sink.name}`),
      log: o.log,
      limits: createRateWindows(sinkRateWindows(sink)),
      message,
      batchMax: sink.batchMax,
      cooldownMs: sink.cooldownSeconds * 1000,
      giveUpAfterMs: sink.giveUpAfterSeconds * 1000,
      retry: { baseMs: sink.retryBaseMs, capMs: sink.retryCapMs },
      secrets: allSecrets,
    });
    return { sink, client, dispatcher };
  });

  const wake = (): void => {
    for (const e of entries) e.dispatcher.wake();
  };
  const enqueue = (kind: 'alert' | 'digest', want: (s: (typeof sinks)[number]) => boolean, id: string, body: AlertBody | DigestBody): void => {
    const names = entries.filter((e) => want(e.sink)).map((e) => e.sink.name);
    if (names.length === 0) return;
    try {
      outbox.enqueue(names, kind, id, JSON.stringify(body), clock.now());
      wake();
    } catch (err) {
      o.log.error({ code: 'E_STORE_WRITE', err: errorMessage(err), id }, `notify: could not queue ${kind} ${id}`);
    }
  };

  let closed = false;
  const lastDb = new Map<string, ReturnType<Outbox['stats']>>();
  /** The outbox counts; the last known ones once closed or while the database cannot be read. */
  const dbStats = (name: string): ReturnType<Outbox['stats']> => {
    const fallback = lastDb.get(name) ?? { pending: 0, oldestPendingAt: null };
    if (closed) return fallback;
    try {
      const s = outbox.stats(name);
      lastDb.set(name, s);
      return s;
    } catch {
      return fallback;
    }
  };
  const status = (): SinkStatus[] =>
    entries.map(({ sink, dispatcher }) => {
      const db = dbStats(sink.name);
      const s = dispatcher.stats();
      return {
        name: sink.name,
        type: sink.type,
        depth: db.pending,
        oldestPendingAgeMs: db.oldestPendingAt === null ? null : Math.max(0, clock.now() - db.oldestPendingAt),
        delivered: s.delivered,
        retried: s.retried,
        failed: s.failed,
        skipped: s.skipped,
      };
    });

  wake(); // rows left pending by the previous run
  const pruner = startOutboxPruner({ outbox, clock, log: o.log, retentionMs: config.retentionDays * 86_400_000 });
  return {
    sinkNames: entries.map((e) => e.sink.name),
    wake,
    status,
    inFlight: () => entries.reduce((n, e) => n + e.dispatcher.stats().inFlight, 0),
    alert: (id, body) => enqueue('alert', (s) => s.alerts, id, body),
    digest: (id, body) => enqueue('digest', (s) => s.digest, id, body),
    degradedReasons: () =>
      status()
        .filter((s) => s.oldestPendingAgeMs !== null && s.oldestPendingAgeMs > config.staleSeconds * 1000)
        .map((s) => `notify sink ${s.name} behind: oldest pending ${Math.round((s.oldestPendingAgeMs ?? 0) / 1000)} s, ${s.depth} pending`),
    close: async () => {
      closed = true;
      pruner.stop();
      // Stop the loops, abort what is in flight (its row stays pending: resent on the next start), then wait.
      const stopped = entries.map((e) => e.dispatcher.close());
      await Promise.all(entries.map((e) => e.client.close().catch(() => undefined)));
      await Promise.all(stopped);
    },
  };
}

/** A secret and, for a webhook URL (the URL is the credential), each longer path segment on its own. */
export function secretFragments(secret: string): string[] {
  if (!URL.canParse(secret)) return [secret];
  const url = new URL(secret);
  return [secret, url.pathname + url.search, ...url.pathname.split('/').filter((p) => p.length >= 6), ...(url.search.length >= 6 ? [url.search] : [])];
}
