import type { Logger as PinoLogger } from 'pino';
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
import type { RealtimeConnection } from './realtime-connection.js';
import type { KernelSettings } from './settings.js';
import type { ManagedTokenSource } from './token-source.js';

/** What the daemon exposes to /healthz, /metrics and the data-silence alarm. */
export interface ObservedParts {
  readonly connection: RealtimeConnection;
  readonly kernel: Kernel;
  readonly calendar: MarketCalendar;
  readonly store: { stats(): { queued: number; committed: number; dropped: number; writeErrors: number } };
  readonly tokens: Readonly<Record<string, ManagedTokenSource>>;
  readonly rateLimitHits: RateLimitCounts;
  /** Reasons the daemon is degraded but still healthy (a notification sink far behind). */
  readonly degraded?: () => readonly string[];
  /** Each venue's trading phase (live, on the session calendar), shown in /healthz. */
  readonly phases?: () => Readonly<Record<string, string>>;
}

export interface Observability {
  readonly url: string | null;
  health(): HealthVerdict;
  readonly metrics: MetricsRegistry;
  close(): Promise<void>;
}

export async function startObservability(settings: KernelSettings, clock: Clock, log: PinoLogger, parts: ObservedParts): Promise<Observability> {
  const { connection } = parts;
  const subscribed = (): boolean => connection.status().phase === 'live' && connection.status().wantedPairs > 0;
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
    tokenIssuances: () => Object.fromEntries(Object.entries(parts.tokens).map(([broker, t]) => [broker, t.status().issuances])),
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
      tokens: Object.fromEntries(Object.entries(parts.tokens).map(([broker, t]) => [broker, t.status()])),
      silenceActive: alarm.active(),
    });
    // Degraded (reported, still 200): e.g. a notification sink whose oldest pending row is stale.
    const degraded = parts.degraded?.() ?? [];
    const withPhase = parts.phases ? { ...verdict, details: { ...verdict.details, marketPhases: parts.phases() } } : verdict;
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
