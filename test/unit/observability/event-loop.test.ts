import { describe, expect, it } from 'vitest';
import { startEventLoopMonitor } from '../../../src/observability/event-loop.js';

describe('the event-loop monitor', () => {
  it('reports finite, non-negative lag in seconds and stops idempotently', () => {
    const monitor = startEventLoopMonitor({ resolutionMs: 10, windowMs: 1000 });
    const lag = monitor.lag();
    for (const v of [lag.p50, lag.p99, lag.max, lag.mean]) {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(60); // seconds, not nanoseconds
    }
    expect(lag.p50).toBeLessThanOrEqual(lag.max);
    monitor.stop();
    monitor.stop();
    expect(monitor.lag()).toEqual(monitor.lag());
  });
});
