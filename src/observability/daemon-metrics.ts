import { CONNECTION_PHASES } from '../core/connection-phase.js';
import { STRATEGY_STATES } from '../core/strategy.js';
import type { EventLoopLag } from './event-loop.js';
import type { MetricsRegistry, Sample } from './metrics.js';

/**
 * What the daemon's metrics read, as plain getters. The shapes are structural subsets of the
 * components' own stats (RealtimeStats, ConnectionStatus, StrategyStats, TokenStatus), so the
 * composition root passes `() => connection.stats` and the like without adapters. Every source is
 * optional: a missing one leaves its families out (replay has no connection, for example).
 */
export interface DaemonMetricSources {
  /** The real-time socket's counters (RealtimeStats). */
  readonly realtime?: () => {
    readonly frames: number;
    readonly entries: number;
    readonly decodeErrorsByCode: Readonly<Record<string, number>>;
    readonly regMessages: number;
    readonly removeMessages: number;
  };
  /** The connection machine's status (ConnectionStatus). */
  readonly connection?: () => { readonly phase: string; readonly reconnects: number; readonly wantedPairs: number };
  /** Token issuances (first issue and refreshes) per broker, e.g. `{ kiwoom: 2, kis: 1 }`. */
  readonly tokenIssuances?: () => Readonly<Record<string, number>>;
  /** Rate-limit answers per broker (Kiwoom 1700 / HTTP 429, KIS EGW00201). */
  readonly rateLimitHits?: () => Readonly<Record<string, number>>;
  /** The strategy host's per-strategy stats (StrategyStats). */
  readonly strategies?: () => ReadonlyArray<{
    readonly id: string;
    readonly state: string;
    readonly events: number;
    readonly signals: number;
    readonly suppressed: number;
    readonly faults: number;
  }>;
  /** The signal store's stats (SignalStoreStats). */
  readonly store?: () => { readonly queued: number; readonly committed: number; readonly dropped: number; readonly writeErrors: number };
  readonly eventLoopLag?: () => EventLoopLag;
  /** The subscription layer (RealtimeConnection.status().subscriptions, .subscriptionStats, .stats). */
  readonly subscriptions?: () => {
    readonly ackedPairs: number;
    readonly rejectedPairs: number;
    readonly leftOut: number;
    readonly unregisteredEntries: number;
    readonly lateEntries?: number;
    readonly regRejectionsByCode: Readonly<Record<string, number>>;
    readonly symbolSilences: Readonly<Record<string, number>>;
  };
  readonly silence?: () => { readonly active: boolean; readonly raised: number };
}

/** Phases reported by `krx_connection_state`: the connection machine's phase tags, one series each. */
export { CONNECTION_PHASES };

/** States reported by `krx_strategy_state` (StrategyState). */
export { STRATEGY_STATES };

/**
 * Registers the daemon's metric families on `registry`, each read from its source at scrape time.
 *
 * @example
 * const metrics = new MetricsRegistry();
 * registerDaemonMetrics(metrics, { realtime: () => connection.stats, connection: () => connection.status(),
 *   strategies: () => host.stats(), store: () => store.stats(), eventLoopLag: () => loop.lag() });
 */
export function registerDaemonMetrics(registry: MetricsRegistry, sources: DaemonMetricSources): void {
  const { realtime, connection, strategies, store, silence } = sources;
  if (realtime) {
    registry.collect('krx_ws_frames_total', 'Real-time WebSocket frames received', 'counter', [], () => realtime().frames);
    registry.collect('krx_ws_entries_total', 'Real-time REAL entries decoded', 'counter', [], () => realtime().entries);
    registry.collect('krx_decode_errors_total', 'Frames or entries dropped because they could not be decoded, by error code', 'counter', ['code'], () =>
      byLabel('code', realtime().decodeErrorsByCode),
    );
    registry.collect('krx_ws_registration_messages_total', 'REG and REMOVE messages sent on the real-time socket', 'counter', ['type'], () => {
      const s = realtime();
      return [
        { labels: { type: 'REG' }, value: s.regMessages },
        { labels: { type: 'REMOVE' }, value: s.removeMessages },
      ];
    });
  }
  if (connection) {
    registry.collect('krx_ws_reconnects_total', 'Real-time socket reconnects', 'counter', [], () => connection().reconnects);
    registry.collect('krx_subscribed_pairs', 'Wanted real-time (symbol, type) pairs', 'gauge', [], () => connection().wantedPairs);
    registry.collect('krx_connection_state', 'Real-time connection phase: 1 for the current phase, 0 for the others', 'gauge', ['phase'], () =>
      oneHot('phase', CONNECTION_PHASES, connection().phase),
    );
  }
  if (sources.subscriptions) {
    const read = sources.subscriptions;
    registry.collect('krx_acknowledged_pairs', 'Real-time (symbol, type) pairs the broker acknowledged on the current socket', 'gauge', [], () => read().ackedPairs);
    registry.collect('krx_rejected_pairs', 'Wanted pairs whose REG was rejected, waiting for a retry', 'gauge', [], () => read().rejectedPairs);
    registry.collect('krx_ws_registration_rejections_total', 'REG/REMOVE answers with a non-zero return_code, by code', 'counter', ['code'], () => byLabel('code', read().regRejectionsByCode));
    registry.collect('krx_universe_left_out', 'Symbols left out of the subscriptions by the item budget (connection.maxItems)', 'gauge', [], () => read().leftOut);
    registry.collect('krx_unregistered_entries_total', 'Real-time entries for symbols not subscribed, dropped', 'counter', [], () => read().unregisteredEntries);
    registry.collect('krx_late_entries_total', 'Real-time entries for symbols removed moments ago (before the REMOVE landed), dropped', 'counter', [], () => read().lateEntries ?? 0);
    registry.collect('krx_symbol_silences_total', 'Times an acknowledged symbol sent nothing for connection.silentSymbolMs during the session, by symbol', 'counter', ['symbol'], () =>
      byLabel('symbol', read().symbolSilences),
    );
  }
  if (sources.tokenIssuances) {
    const read = sources.tokenIssuances;
    registry.collect('krx_token_refreshes_total', 'Access tokens issued (first issue and refreshes), by broker', 'counter', ['broker'], () => byLabel('broker', read()));
  }
  if (sources.rateLimitHits) {
    const read = sources.rateLimitHits;
    registry.collect('krx_rate_limit_hits_total', 'Broker rate-limit answers, by broker', 'counter', ['broker'], () => byLabel('broker', read()));
  }
  if (strategies) {
    const per = (field: 'events' | 'signals' | 'suppressed' | 'faults') => (): Sample[] => strategies().map((s) => ({ labels: { strategy: s.id }, value: s[field] }));
    registry.collect('krx_signals_total', 'Signals emitted, by strategy', 'counter', ['strategy'], per('signals'));
    registry.collect('krx_strategy_events_total', 'Market events handled, by strategy', 'counter', ['strategy'], per('events'));
    registry.collect('krx_strategy_suppressed_total', 'Signals swallowed by the cooldown, by strategy', 'counter', ['strategy'], per('suppressed'));
    registry.collect('krx_strategy_faults_total', 'Strategy faults (exceptions, bad signals), by strategy', 'counter', ['strategy'], per('faults'));
    registry.collect('krx_strategy_state', 'Strategy state: 1 for the current state, 0 for the others', 'gauge', ['strategy', 'state'], () =>
      strategies().flatMap((s) => oneHot('state', STRATEGY_STATES, s.state).map((x) => ({ labels: { strategy: s.id, ...x.labels }, value: x.value }))),
    );
  }
  if (store) {
    registry.collect('krx_store_queue_depth', 'Signals waiting for a database commit', 'gauge', [], () => store().queued);
    registry.collect('krx_store_committed_total', 'Signals committed to the database', 'counter', [], () => store().committed);
    registry.collect('krx_store_dropped_total', 'Signals dropped (queue full or written after close)', 'counter', [], () => store().dropped);
    registry.collect('krx_store_write_errors_total', 'Failed database commit attempts', 'counter', [], () => store().writeErrors);
  }
  if (sources.eventLoopLag) {
    const read = sources.eventLoopLag;
    // Separate gauges, not a `quantile` label: that label belongs to summaries (promtool rejects it on a gauge).
    registry.collect('krx_event_loop_lag_p50_seconds', 'Event-loop lag over the last window, median (the sampling interval excluded)', 'gauge', [], () => read().p50);
    registry.collect('krx_event_loop_lag_p99_seconds', 'Event-loop lag over the last window, 99th percentile (the sampling interval excluded)', 'gauge', [], () => read().p99);
    registry.collect('krx_event_loop_lag_max_seconds', 'Event-loop lag over the last window, maximum (the sampling interval excluded)', 'gauge', [], () => read().max);
  }
  if (silence) {
    registry.collect('krx_data_silence_alarms_total', 'Times the data-silence alarm was raised', 'counter', [], () => silence().raised);
    registry.collect('krx_data_silence_active', '1 while no real-time data arrives during the session while subscribed', 'gauge', [], () => (silence().active ? 1 : 0));
  }
}

function byLabel(label: string, values: Readonly<Record<string, number>>): Sample[] {
  return Object.entries(values).map(([k, value]) => ({ labels: { [label]: k }, value }));
}

/** One series per known value (1 for the current), plus the current one if it is not known. */
function oneHot(label: string, known: readonly string[], current: string): Sample[] {
  const all = known.includes(current) ? known : [...known, current];
  return all.map((v) => ({ labels: { [label]: v }, value: v === current ? 1 : 0 }));
}
