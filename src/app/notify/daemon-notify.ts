import type Database from 'better-sqlite3';
import type { OutboxRouting } from '../../adapters/store/index.js';
import type { Config } from '../../config/schema.js';
import type { MarketCalendar } from '../../core/calendar.js';
import type { Clock } from '../../core/clock.js';
import type { Random } from '../../core/random.js';
import type { MetricsRegistry } from '../../observability/index.js';
import { startAlertMonitor, type AlertMonitor } from './alert-monitor.js';
import { daemonAlertConditions, type AlertSources } from './daemon-alerts.js';
import { startDailyDigest } from './digest.js';
import type { SinkBus } from './build-sink.js';
import type { DispatcherLog } from './dispatcher.js';
import { registerNotifyMetrics } from './metrics.js';
import { startNotifier, type Notifier } from './notifier.js';
import { createNotifyRouting } from './routing.js';

/** The store's outbox routing for the daemon, or nothing when no sink is enabled (no outbox rows at all). */
export function notifyStoreOptions(config: Pick<Config, 'notify'>, options: { replay?: boolean; now?: () => number } = {}): { outbox?: OutboxRouting } {
  return config.notify.sinks.some((s) => s.enabled) ? { outbox: createNotifyRouting(config.notify.sinks, options) } : {};
}

export interface DaemonNotify {
  readonly notifier: Notifier;
  /** The dispatchers' wake-up after a commit: a plain function for the signal fan-out. */
  wake(): void;
  /** Starts the alert conditions, the daily digest and the metrics once the daemon's parts exist. */
  watch(sources: AlertSources, metrics: MetricsRegistry): void;
  degradedReasons(): string[];
  close(): Promise<void>;
}

export interface DaemonNotifyOptions {
  readonly config: Config;
  readonly database: Database.Database;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: DispatcherLog;
  readonly calendar: MarketCalendar;
  readonly startedAt: number;
  /** The stock's name for a code (the ka10099 stock master), shown beside the code in messages. */
  readonly nameOf?: (symbol: string) => string | undefined;
  /** The bus connection, for sinks of type "bus". */
  readonly bus?: SinkBus;
}

/** Notifications for the running daemon; null when no sink is enabled. */
export function startDaemonNotify(o: DaemonNotifyOptions): DaemonNotify | null {
  const { config, clock, calendar } = o;
  if (!config.notify.sinks.some((s) => s.enabled)) return null;
  const notifier = startNotifier({
    config: config.notify,
    secrets: config.credentials.notify ?? {},
    database: o.database,
    clock,
    random: o.random,
    log: o.log,
    ...(o.bus ? { bus: o.bus } : {}),
    ...(o.nameOf ? { nameOf: o.nameOf } : {}),
    phaseOf: (ms) => (calendar.kind === 'krx' ? (calendar.isOpen(ms) ? 'regular' : undefined) : undefined),
  });
  let monitor: AlertMonitor | null = null;
  let digest: { stop(): void } | null = null;
  return {
    notifier,
    wake: () => notifier.wake(),
    watch: (sources, metrics) => {
      registerNotifyMetrics(metrics, notifier);
      monitor = startAlertMonitor({
        conditions: daemonAlertConditions(sources),
        clock,
        everyMs: config.notify.alertCheckSeconds * 1000,
        send: (id, body) => notifier.alert(id, body),
        log: o.log,
      });
      const faults = monitor;
      digest = startDailyDigest({ clock, calendar, database: o.database, startedAt: o.startedAt, faultsSince: (t) => faults.raisedSince(t), send: (id, body) => notifier.digest(id, body), log: o.log });
    },
    degradedReasons: () => notifier.degradedReasons(),
    close: async () => {
      monitor?.stop();
      digest?.stop();
      await notifier.close();
    },
  };
}
