import type { MetricsRegistry } from '../../observability/index.js';
import type { Notifier } from './notifier.js';

/** Per-sink families read at scrape time: depth, oldest pending age, delivered, retried, failed. */
export function registerNotifyMetrics(registry: MetricsRegistry, notifier: Pick<Notifier, 'status'>): void {
  const per = (pick: (s: ReturnType<Notifier['status']>[number]) => number) => () => notifier.status().map((s) => ({ labels: { sink: s.name }, value: pick(s) }));
  registry.collect('krx_notify_outbox_depth', 'Notification outbox rows pending, per sink', 'gauge', ['sink'], per((s) => s.depth));
  registry.collect('krx_notify_oldest_pending_seconds', 'Age of the oldest pending notification, per sink (0 when none)', 'gauge', ['sink'], per((s) => (s.oldestPendingAgeMs ?? 0) / 1000));
  registry.collect('krx_notify_delivered_total', 'Notifications acknowledged by the sink', 'counter', ['sink'], per((s) => s.delivered));
  registry.collect('krx_notify_retried_total', 'Notification attempts that will be retried (429, 5xx, timeouts)', 'counter', ['sink'], per((s) => s.retried));
  registry.collect('krx_notify_failed_total', 'Notifications given up (refused 4xx, or expired)', 'counter', ['sink'], per((s) => s.failed));
}
