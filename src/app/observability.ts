import type { Logger as PinoLogger } from 'pino';
import { ITEMLESS } from '../core/subscription-set.js';
import type { MarketCalendar } from '../core/calendar.js';
import type { Clock } from '../core/clock.js';
import { expectsSteadyFlow } from '../core/market-sessions.js';
import {
  createObservabilityServer,
  createSilenceAlarm,
  decideHealth,
  MetricsRegistry,
  registerDaemonMetrics,
  startEventLoopMonitor,
  type HealthVerdict,
} from '../observability/index.js';
import type { RateLimitCounts } from './counting-transports.js';
import type { Kernel } from './kernel.js';
import type { PooledConnection } from './key-pool.js';
import type { KernelSettings } from './settings.js';
import type { TokenStatus } from './token-source.js';

/** What the daemon exposes to /healthz, /metrics and the data-silence alarm. */
export interface ObservedParts {
  /** The app keys' connections as one (one key: its connection as it is). */
  readonly connection: Pick<PooledConnection, 'events$' | 'stats' | 'subscriptionStats' | 'status' | 'subscriptions'>;
  readonly kernel: Kernel;
  readonly calendar: MarketCalendar;
  readonly store: { stats(): { queued: number; committed: number; dropped: number; writeErrors: number } };
  /** The token sources health looks at, read at each look (an app key's is re-created after a lost lease). */
  readonly tokens: () => Readonly<Record<string, { status(): TokenStatus }>>;
  readonly rateLimitHits: RateLimitCounts;
  /** Reasons the daemon is degraded but still healthy (a notification sink far behind). */
  readonly degraded?: () => readonly string[];
  /** Each venue's trading phase (live, on the session calendar), shown in /healthz. */
  readonly phases?: () => Readonly<Record<string, string>>;
  /** More of /healthz's details (the app keys, by name). */
  readonly details?: () => Readonly<Record<string, unknown>>;
}

export interface Observability {
  readonly url: string | null;
  health(): HealthVerdict;
  readonly metrics: MetricsRegistry;
  close(): Promise<void>;
}

/**
 * The data-silence alarm watches a live socket holding stocks: the market-wide item-less pairs (0s,
 * 1h) alone are quiet by nature, so an empty universe with them is not "subscribed".
 */
export function subscribedToStocks(connection: Pick<PooledConnection, 'status' | 'subscriptions'>): boolean {
  return connection.status().phase === 'live' && connection.subscriptions.wantedItems().some((item) => item !== ITEMLESS);
}

export async function startObservability(settings: KernelSettings, clock: Clock, log: PinoLogger, parts: ObservedParts): Promise<Observability> {
  const { connection } = parts;
  const subscribed = (): boolean => subscribedToStocks(connection);
  const sessions = settings.sessions;
  const alarm = createSilenceAlarm({
    clock,
    silenceMs: settings.dataSilenceMs,
    // On the session calendar only the steady phases are watched (quiet in gaps and thin markets).
    isSessionOpen: sessions ? () => expectsSteadyFlow(sessions, clock.now()) : () => parts.calendar.isOpen(clock.now()),
    isSubscribed: subscribed,
    log: log.child({ component: 'silence-alarm' }),
  });
  const feed = connection.events$.subscribe(() => alarm.frame());
  alarm.start();
  const loop = startEventLoopMonitor();

  const metrics = new MetricsRegistry();
  registerDaemonMetrics(metrics, {
    realtime: () => connection.stats,
    connection: () => connection.status(),
    subscriptions: () => ({ ...connection.status().subscriptions, ...connection.subscriptionStats, regRejectionsByCode: connection.stats.regRejectionsByCode }),
    tokenIssuances: () => Object.fromEntries(Object.entries(parts.tokens()).map(([broker, t]) => [broker, t.status().issuances])),
    rateLimitHits: () => ({ ...parts.rateLimitHits }),
    strategies: () => parts.kernel.strategyStats(),
    store: () => parts.store.stats(),
    eventLoopLag: () => loop.lag(),
    silence: () => ({ active: alarm.active(), raised: alarm.raisedCount() }),
  });

  const health = (): HealthVerdict => {
    const verdict = decideHealth({
      sessionOpen: parts.calendar.isOpen(clock.now()),
      connection: connection.status(),
      tokens: Object.fromEntries(Object.entries(parts.tokens()).map(([broker, t]) => [broker, t.status()])),
      silenceActive: alarm.active(),
    });
    // Degraded (reported, still 200): e.g. a notification sink whose oldest pending row is stale.
    const degraded = parts.degraded?.() ?? [];
    const withPhase = parts.phases ? { ...verdict, details: { ...verdict.details, marketPhases: parts.phases() } } : verdict;
    if (parts.details) Object.assign(withPhase, { details: { ...withPhase.details, ...parts.details() } });
    return degraded.length === 0 ? withPhase : { ...withPhase, reasons: [...withPhase.reasons, ...degraded], details: { ...withPhase.details, degraded: true } };
  };

  let url: string | null = null;
  const server = settings.http.enabled
    ? createObservabilityServer({ host: settings.http.host, port: settings.http.port, health, metrics: () => metrics.render(), log: log.child({ component: 'http' }) })
    : null;
  if (server) {
    url = (await server.start()).url;
    log.info({ event: 'http.started', url }, `health on ${url}/healthz, metrics on ${url}/metrics`);
  }
  return {
    url,
    health,
    metrics,
    close: async () => {
      feed.unsubscribe();
      alarm.stop();
      loop.stop();
      await server?.close();
    },
  };
}
