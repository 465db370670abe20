import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The standard process and Node.js families (process_cpu_seconds_total, process_resident_memory_bytes,
 * process_open_fds, nodejs_heap_size_used_bytes, nodejs_gc_duration_seconds, nodejs_eventloop_lag_*,
 * nodejs_version_info ...) exactly as Prometheus users know them from prom-client's default metrics:
 * dashboards and alerts written for any Node service work unchanged. Our own families stay in
 * MetricsRegistry (krx_ prefix); this one only holds prom-client's defaults.
 */
export interface ProcessMetrics {
  render(): Promise<string>;
}

/**
 * prom-client names three gauges `..._total`, which promtool rejects on a non-counter; the same
 * counts stay available by type in nodejs_active_handles / nodejs_active_requests / nodejs_active_resources.
 */
const NOT_LINT_CLEAN = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export function createProcessMetrics(): ProcessMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const name of NOT_LINT_CLEAN) registry.removeSingleMetric(name);
  return { render: () => registry.metrics() };
}
