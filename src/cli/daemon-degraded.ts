import type { Daemon } from '../app/daemon.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { createDegradedMonitor, type DegradedMonitor } from '../observability/degraded.js';

/**
 * The degraded monitor over a running daemon's parts; polls as the kernel's board has them (last
 * delivery, and how old it may grow: two periods, a day for the stock master).
 */
export function watchDegraded(daemon: Daemon, _config: Config, clock: Clock): { monitor: DegradedMonitor; stop(): void } {
  const recording = daemon.recording;
  const monitor = createDegradedMonitor(
    {
      now: () => clock.now(),
      store: () => daemon.store.stats(),
      ...(recording ? { recording: () => recording.stats() } : {}),
      polls: () => daemon.kernel.polls().map((p) => ({ name: p.name, lastAt: p.lastAt, periodMs: p.staleAfterMs / 2, lateTicks: p.lateTicks })),
      strategies: () => daemon.kernel.strategyStats(),
    },
    clock.now(),
  );
  return { monitor, stop: () => undefined };
}
