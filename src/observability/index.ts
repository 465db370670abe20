/** The observability surface the composition root wires: metrics, the health/metrics server, alarms. */
export { MetricsRegistry, PROMETHEUS_CONTENT_TYPE, METRIC_PREFIX, escapeLabelValue, escapeHelp, formatValue } from './metrics.js';
export type { Counter, LabelledCounter, Gauge, LabelledGauge, Labels, MetricType, Sample } from './metrics.js';
export { registerDaemonMetrics, CONNECTION_PHASES, STRATEGY_STATES, type DaemonMetricSources } from './daemon-metrics.js';
export { startEventLoopMonitor, type EventLoopLag, type EventLoopMonitor, type EventLoopMonitorOptions } from './event-loop.js';
export { createObservabilityServer, type HealthVerdict, type ObservabilityServer, type ObservabilityServerOptions } from './http-server.js';
export { createSilenceAlarm, type SilenceAlarm, type SilenceAlarmOptions, type SilenceAlarmChange, type SilenceAlarmLog } from './silence-alarm.js';
export { decideHealth, type HealthInput } from './health.js';
export { createDegradedMonitor, DEGRADED_PARTS, type DegradedMonitor, type DegradedPart, type DegradedSources } from './degraded.js';
export { createProcessMetrics, type ProcessMetrics } from './process-metrics.js';
