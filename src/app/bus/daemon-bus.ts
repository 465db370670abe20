import type { Observable } from 'rxjs';
import { createRedisStreamsBus } from '../../adapters/bus/redis-streams.js';
import type { Config } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { MarketEvent } from '../../core/market.js';
import type { TimerHandle } from '../../core/clock.js';
import type { BusAdapter, BusGroup } from '../../core/ports/bus.js';

const GROUPS_EVERY_MS = 5000;
import type { MetricsRegistry } from '../../observability/index.js';
import { startEgress, type Egress, type EgressStats } from './egress.js';

export interface DaemonBus {
  readonly adapter: BusAdapter;
  /** This node's name in each envelope. */
  readonly origin: string;
  /** Starts the market events' egress when bus.events.enabled. */
  egress(events$: Observable<MarketEvent>): void;
  egressStats(): EgressStats | null;
  /** `/healthz` reasons: the bus unreachable. The daemon keeps producing and storing signals meanwhile. */
  degradedReasons(): string[];
  register(metrics: MetricsRegistry): void;
  close(): Promise<void>;
}

/** The daemon's bus connection, or null when bus.redis.url is not set. Never fails the start: Redis may come later. */
export function startDaemonBus(config: Config, sessionId: string, clock: Clock, log: Logger): DaemonBus | null {
  const redis = config.bus.redis;
  if (!redis) return null;
  const origin = config.bus.origin ?? sessionId;
  const adapter = createRedisStreamsBus({
    url: redis.url,
    onState: (connected, detail) => (connected ? log.info({ event: 'bus.connected' }, `bus ${detail}`) : log.warn({ event: 'bus.lost', code: 'E_BUS_UNAVAILABLE' }, `bus ${detail}`)),
  });
  let egress: Egress | null = null;
  // Consumer groups on the signal stream (their pending and lag), read every few seconds for /metrics.
  const signalStreams = [...new Set(config.notify.sinks.flatMap((s) => (s.type === 'bus' && s.enabled ? [s.stream] : [])))];
  let groups: Array<{ stream: string; group: BusGroup }> = [];
  let refresh: TimerHandle | undefined;
  const readGroups = (): void => {
    Promise.all(signalStreams.map(async (stream) => (await adapter.groups(stream)).map((group) => ({ stream, group }))))
      .then((all) => void (groups = all.flat()))
      .catch(() => undefined) // unreachable: the last known figures stay; krx_bus_connected says why
      .finally(() => {
        if (refresh !== undefined) refresh = clock.setTimeout(readGroups, GROUPS_EVERY_MS);
      });
  };
  return {
    adapter,
    origin,
    egress: (events$) => {
      if (!config.bus.events.enabled || egress) return;
      egress = startEgress({ url: redis.url, config: config.bus.events, origin, events$, clock, log });
      log.info({ event: 'bus.egress', stream: config.bus.events.stream, exclude: config.bus.events.exclude }, `market events published to ${config.bus.events.stream}`);
    },
    egressStats: () => egress?.stats() ?? null,
    degradedReasons: () => (adapter.status().connected ? [] : ['bus unreachable: signals wait in the outbox, market events are dropped']),
    register: (metrics) => {
      metrics.collect('krx_bus_connected', 'The bus (Redis) connection: 1 connected, 0 not', 'gauge', [], () => [{ value: adapter.status().connected ? 1 : 0 }]);
      metrics.collect('krx_bus_errors_total', 'Bus commands that failed (unreachable, refused)', 'counter', [], () => [{ value: adapter.status().errors }]);
      const per = (pick: (s: EgressStats) => number) => () => {
        const s = egress?.stats();
        return s ? [{ labels: { stream: s.stream }, value: pick(s) }] : [];
      };
      metrics.collect('krx_bus_group_pending', 'Entries delivered to a consumer group and not acknowledged, per stream and group', 'gauge', ['stream', 'group'], () => groups.map((g) => ({ labels: { stream: g.stream, group: g.group.name }, value: g.group.pending })));
      metrics.collect('krx_bus_group_lag', 'Entries not yet delivered to a consumer group, per stream and group', 'gauge', ['stream', 'group'], () => groups.flatMap((g) => (g.group.lag === null ? [] : [{ labels: { stream: g.stream, group: g.group.name }, value: g.group.lag }])));
      if (signalStreams.length > 0 && refresh === undefined) {
        refresh = clock.setTimeout(readGroups, 0);
      }
      metrics.collect('krx_bus_egress_published_total', 'Market events the bus acknowledged', 'counter', ['stream'], per((s) => s.published));
      metrics.collect('krx_bus_egress_dropped_total', 'Market events dropped by the egress (queue full, over bus.events.maxRate, or bus away); never waited for', 'counter', ['stream'], per((s) => s.dropped));
      metrics.collect('krx_bus_egress_over_rate_total', 'Of the dropped market events, those over bus.events.maxRate', 'counter', ['stream'], per((s) => s.overRate));
      metrics.collect('krx_bus_egress_queued', 'Market events waiting for the bus', 'gauge', ['stream'], per((s) => s.queued));
    },
    close: async () => {
      if (refresh !== undefined) clock.clearTimeout(refresh);
      refresh = undefined;
      await egress?.close();
      await adapter.close();
    },
  };
}
