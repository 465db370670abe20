import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger as PinoLogger } from 'pino';
import { createRedisStreamsBus } from '../../adapters/bus/redis-streams.js';
import { INVALID } from '../../adapters/bus/redis-streams.js';
import { openSignalStore, type SignalStore } from '../../adapters/store/index.js';
import type { Config } from '../../config/schema.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorMessage, isKrxError } from '../../core/errors.js';
import { formatKstCompact } from '../../core/kst.js';
import type { MarketEvent } from '../../core/market.js';
import type { BusAdapter } from '../../core/ports/bus.js';
import { createRandom } from '../../core/random.js';
import { createVirtualClock, type VirtualClock } from '../../core/virtual-clock.js';
import { createStrategyHost, type StrategyHost, type StrategyStats } from '../../engine/host.js';
import { MetricsRegistry, createObservabilityServer, type HealthVerdict } from '../../observability/index.js';
import { createMarketBook } from '../../pipeline/market-book.js';
import { Closers } from '../closers.js';
import { planKernel } from '../kernel.js';
import { notifyStoreOptions, startDaemonNotify, type DaemonNotify } from '../notify/daemon-notify.js';
import { kernelSettings } from '../settings.js';
import { fanOutSignals, signalCounter, signalLogLine } from '../signal-fanout.js';

export interface BusConsumerOptions {
  readonly config: Config;
  readonly log: PinoLogger;
  /** Wall time: the store, the outbox dispatchers, retries while Redis is away. */
  readonly clock: Clock;
  readonly version: string;
}

export interface BusConsumerStats {
  /** Entries read from the event stream. */
  readonly entries: number;
  /** Events handed to the strategy host. */
  readonly handled: number;
  /** Entries that were not envelopes or valid events (E_BUS_DECODE): skipped. */
  readonly decodeErrors: number;
  /** The last entry read: where a restart with fromId could resume. */
  readonly cursor: string;
  /** Engine time: the last event's tsRecv (null before the first). */
  readonly engineTime: number | null;
}

export interface BusConsumer {
  readonly sessionId: string;
  readonly store: SignalStore;
  readonly notify: DaemonNotify | null;
  readonly bus: BusAdapter;
  readonly url: string | null;
  health(): HealthVerdict;
  readonly metrics: MetricsRegistry;
  stats(): BusConsumerStats;
  strategyStats(): StrategyStats[];
  signalsCommitted(): number;
  /** Resolves once the loop has read everything currently on the stream (for tests and a clean stop). */
  caughtUp(): Promise<void>;
  stop(reason: string): Promise<void>;
}

// Every kind the ingest node's market stream carries (phase events are made by each host itself).
const KINDS = new Set(['trade', 'indicative', 'raw', 'ranking', 'watchlist', 'program-trading', 'program-flow', 'vi', 'stock-info', 'book', 'stock-master', 'info', 'investor-flow', 'investor-totals']);

/** The payload as a market event, or null: an object with a known kind and integer stamps. */
function eventOf(payload: string): MarketEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (typeof v['kind'] !== 'string' || !KINDS.has(v['kind'])) return null;
  if (!Number.isSafeInteger(v['tsRecv']) || !Number.isSafeInteger(v['tsEvent'])) return null;
  return value as MarketEvent;
}

/**
 * `start --from-bus`: the strategy host with its store, outbox and health, fed from the bus's
 * market stream instead of a broker connection. The host runs on a virtual clock that follows the
 * ingest node's clock (each event's tsRecv), so its timers fire at the same engine times and in the
 * same order relative to events as on the ingest node: same signals, same ids. The store and the
 * outbox run on wall time. Redis away: the loop retries on wall time; the host waits.
 */
export async function startBusConsumer(o: BusConsumerOptions): Promise<BusConsumer> {
  const { config, clock, log } = o;
  const redis = config.bus.redis;
  if (!redis) throw new Error('start --from-bus needs bus.redis.url (or KRX_BUS_REDIS_URL)');
  const settings = kernelSettings(config);
  const plan = planKernel(settings);
  const startedAt = clock.now();
  const sessionId = `${formatKstCompact(startedAt)}-bus-${randomBytes(3).toString('hex')}`;
  const closers = new Closers(log);
  mkdirSync(config.dataDir, { recursive: true });
  const events = config.bus.events;
  const consumer = config.bus.consumer;
  log.info({ event: 'daemon.starting', sessionId, mode: 'bus', version: o.version, strategies: plan.strategies.map((s) => s.definition.id), stream: events.stream }, `krx-signals ${o.version} starting (strategy host on the bus)`);

  try {
    const bus = createRedisStreamsBus({
      url: redis.url,
      onState: (connected, detail) => (connected ? log.info({ event: 'bus.connected' }, `bus ${detail}`) : log.warn({ event: 'bus.lost', code: 'E_BUS_UNAVAILABLE' }, `bus ${detail}`)),
    });
    closers.push('bus', () => bus.close());
    const store = openSignalStore({ file: join(config.dataDir, settings.store.file), clock, queueLimit: settings.store.queueLimit, log: log.child({ component: 'store' }), sessionMode: 'live', ...notifyStoreOptions(config) });
    closers.push('signal store', () => {
      store.flush();
      store.close();
    });
    const committed = signalCounter();
    const origin = config.bus.origin ?? sessionId;
    const notify = startDaemonNotify({ config, database: store.database, clock, random: createRandom(sessionId).fork('notify'), log: log.child({ component: 'notify' }), calendar: plan.calendar, startedAt, bus: { adapter: bus, origin } });
    if (notify) closers.push('notify', () => notify.close());
    fanOutSignals(store, [committed, signalLogLine(log), ...(notify ? [{ name: 'notify', onCommitted: () => notify.wake() }] : [])], log);

    const book = createMarketBook({ staticSymbols: plan.staticSymbols, universeBudget: plan.universeBudget });
    let engine: VirtualClock | null = null;
    let host: StrategyHost | null = null;
    const counts = { entries: 0, handled: 0, decodeErrors: 0 };
    let cursor = consumer.fromId;
    let lastWarnAt = Number.NEGATIVE_INFINITY;

    const handle = (event: MarketEvent): void => {
      if (!engine || !host) {
        // The engine starts at the first event's arrival time: strategies' onStart run then.
        engine = createVirtualClock(event.tsRecv);
        host = createStrategyHost({ clock: engine, book, sink: store, strategies: plan.strategies, sessionId, seed: sessionId, logger: log.child({ component: 'strategies' }) });
        host.start(event.tsRecv);
      }
      // Timers due before the event fire first, at their own engine times (as on the ingest node).
      if (event.tsRecv > engine.now()) engine.advanceTo(event.tsRecv);
      host.handle(event);
      counts.handled++;
    };

    let stopped = false;
    let idleWaiters: Array<() => void> = [];
    let wait: TimerHandle | undefined;
    const pause = (ms: number): Promise<void> =>
      new Promise((resolve) => {
        wait = clock.setTimeout(() => {
          wait = undefined;
          resolve();
        }, ms);
      });
    const loop = async (): Promise<void> => {
      while (!stopped) {
        let page;
        try {
          page = await bus.read(events.stream, cursor, consumer.batchMax, consumer.blockMs);
        } catch (err) {
          if (stopped) return;
          const now = clock.monotonic();
          if (now - lastWarnAt >= 10_000) {
            lastWarnAt = now;
            log.warn({ code: isKrxError(err) ? err.code : 'E_BUS_UNAVAILABLE', err: errorMessage(err) }, 'bus: cannot read the event stream; retrying');
          }
          await pause(500);
          continue;
        }
        if (page.length === 0) {
          for (const w of idleWaiters) w();
          idleWaiters = [];
        }
        for (const entry of page) {
          if (stopped) return;
          cursor = entry.entryId;
          counts.entries++;
          const event = entry.envelope === INVALID ? null : eventOf(entry.envelope.payload);
          if (!event) {
            counts.decodeErrors++;
            if (counts.decodeErrors <= 5) log.warn({ code: 'E_BUS_DECODE', entry: entry.entryId }, 'bus: an entry is not a market event; skipped');
            continue;
          }
          try {
            handle(event);
          } catch (err) {
            // A malformed event that passed the shape check and broke the book: counted, never thrown.
            counts.decodeErrors++;
            log.warn({ code: 'E_BUS_DECODE', entry: entry.entryId, err: errorMessage(err) }, 'bus: an event could not be applied; skipped');
          }
        }
      }
    };
    const running = loop();
    closers.push('consumer', async () => {
      stopped = true;
      if (wait !== undefined) clock.clearTimeout(wait);
      for (const w of idleWaiters) w();
      await bus.close(); // ends a blocking read at once
      await running.catch(() => undefined);
      const h = host as StrategyHost | null;
      const e = engine as VirtualClock | null;
      if (h && e) h.stop(e.now());
    });

    const metrics = new MetricsRegistry();
    metrics.collect('krx_bus_connected', 'The bus (Redis) connection: 1 connected, 0 not', 'gauge', [], () => [{ value: bus.status().connected ? 1 : 0 }]);
    metrics.collect('krx_bus_consumer_entries_total', 'Entries read from the event stream', 'counter', [], () => [{ value: counts.entries }]);
    metrics.collect('krx_bus_consumer_decode_errors_total', 'Entries skipped: not an envelope or a market event', 'counter', [], () => [{ value: counts.decodeErrors }]);
    metrics.collect('krx_signals_committed_total', 'Signals committed to the store', 'counter', [], () => [{ value: committed.count() }]);
    const health = (): HealthVerdict => {
      const reasons = [...(bus.status().connected ? [] : ['bus unreachable: the strategy host waits for events']), ...(notify?.degradedReasons() ?? [])];
      return { healthy: bus.status().connected, reasons, details: { mode: 'bus', stream: events.stream, cursor, entries: counts.entries } };
    };
    const server = settings.http.enabled ? createObservabilityServer({ host: settings.http.host, port: settings.http.port, health, metrics: () => metrics.render(), log: log.child({ component: 'http' }) }) : null;
    const url = server ? (await server.start()).url : null;
    if (server) closers.push('http', () => server.close());
    log.info({ event: 'daemon.started', sessionId, stream: events.stream, fromId: consumer.fromId, http: url }, 'strategy host started on the bus');

    let stopping: Promise<void> | null = null;
    return {
      sessionId,
      store,
      notify,
      bus,
      url,
      health,
      metrics,
      stats: () => ({ ...counts, cursor, engineTime: engine ? (engine as VirtualClock).now() : null }),
      strategyStats: () => host?.stats() ?? [],
      signalsCommitted: () => committed.count(),
      caughtUp: () => new Promise((resolve) => idleWaiters.push(resolve)),
      stop: (reason) =>
        (stopping ??= (async () => {
          log.info({ event: 'daemon.stopping', reason }, `stopping: ${reason}`);
          await closers.closeAll();
          log.info({ event: 'daemon.stopped', sessionId, signals: committed.count() }, 'daemon stopped');
        })()),
    };
  } catch (err) {
    await closers.closeAll();
    throw err;
  }
}
