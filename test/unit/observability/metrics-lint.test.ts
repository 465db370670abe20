import { describe, expect, it } from 'vitest';
import { createDegradedMonitor } from '../../../src/observability/degraded.js';
import { registerDaemonMetrics } from '../../../src/observability/daemon-metrics.js';
import { startEventLoopMonitor } from '../../../src/observability/event-loop.js';
import { MetricsRegistry } from '../../../src/observability/metrics.js';
import { createProcessMetrics } from '../../../src/observability/process-metrics.js';
import { lintMetrics } from '../../support/promlint.js';

describe('metrics lint clean as promtool check metrics would (a quantile label on a gauge did not)', () => {
  it('the linter catches what promtool catches', () => {
    const bad = [
      '# HELP krx_lag_seconds lag',
      '# TYPE krx_lag_seconds gauge',
      'krx_lag_seconds{quantile="0.5"} 1',
      '# HELP krx_frames frames',
      '# TYPE krx_frames counter',
      'krx_frames 1',
      '# TYPE krx_queue_total gauge',
      'krx_queue_total 1',
      '# HELP krx_delay_ms delay',
      '# TYPE krx_delay_ms gauge',
      'krx_delay_ms{someLabel="x"} 1',
      '# HELP krx_size_kilobytes size',
      '# TYPE krx_size_kilobytes gauge',
      'krx_size_kilobytes 1',
      '',
    ].join('\n');
    expect(lintMetrics(bad)).toEqual([
      'krx_delay_ms: label names should be written in \'snake_case\' not \'camelCase\' (someLabel)',
      'krx_delay_ms: metric names should not contain abbreviated units (ms)',
      'krx_frames: counter metrics should have "_total" suffix',
      'krx_lag_seconds: non-summary metrics should not have "quantile" label',
      'krx_queue_total: no help text',
      'krx_queue_total: non-counter metrics should not have "_total" suffix',
      'krx_size_kilobytes: use base unit "bytes" instead of "kilobytes"',
    ]);
  });

  it('the whole /metrics exposition (daemon, degraded, process and Node families) has no problem', async () => {
    const metrics = new MetricsRegistry();
    const loop = startEventLoopMonitor();
    try {
      registerDaemonMetrics(metrics, {
        realtime: () => ({ frames: 1, entries: 2, decodeErrorsByCode: { E_DECODE_JSON: 1 }, regMessages: 1, removeMessages: 0 }),
        connection: () => ({ phase: 'live', reconnects: 0, wantedPairs: 3 }),
        tokenIssuances: () => ({ kiwoom: 1 }),
        rateLimitHits: () => ({ kiwoom: 0 }),
        strategies: () => [{ id: 's', state: 'running', events: 1, signals: 1, suppressed: 0, faults: 0 }],
        store: () => ({ queued: 0, committed: 1, dropped: 0, writeErrors: 0 }),
        eventLoopLag: () => loop.lag(),
        silence: () => ({ active: false, raised: 0 }),
      });
      createDegradedMonitor(
        { now: () => 0, store: () => ({ committed: 0, writeErrors: 0 }), recording: () => ({ committed: 0, writeErrors: 0, shedding: false, capped: false, dropped: 0, storedBytes: 0 }), polls: () => [{ name: 'ranking P00101', lastAt: null, periodMs: 30_000 }], strategies: () => [] },
        0,
      ).register(metrics);
      const text = `${metrics.render()}${await createProcessMetrics().render()}`;
      // The standard families, under the names Prometheus users know.
      for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_gc_duration_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_version_info']) {
        expect(text).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
      }
      expect(lintMetrics(text)).toEqual([]);
    } finally {
      loop.stop();
    }
  });
});

describe('event-loop lag without the sampling interval in it', () => {
  it('an idle loop reads near zero, not the 20 ms resolution', async () => {
    const loop = startEventLoopMonitor({ resolutionMs: 20, windowMs: 60_000 });
    // Real time on purpose: the event loop is what is measured (no virtual clock can stand in).
    await new Promise((resolve) => setTimeout(resolve, 400));
    const lag = loop.lag();
    loop.stop();
    expect(lag.p50).toBeLessThan(0.015);
  });
});
