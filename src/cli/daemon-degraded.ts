import type { Daemon } from '../app/daemon.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { createDegradedMonitor, type DegradedMonitor } from '../observability/degraded.js';

/** The degraded monitor over a running daemon's parts; polls are watched on the kernel's stream. */
export function watchDegraded(daemon: Daemon, config: Config, clock: Clock): { monitor: DegradedMonitor; stop(): void } {
  const lastAt = new Map<string, number>();
  const polls = [
    ...config.universe.programTopMarkets.map((m) => ({ name: `ranking ${m}`, periodMs: config.universe.programTopPollSeconds * 1000 })),
    ...(daemon.tokens.kis ? [{ name: 'watchlist', periodMs: config.universe.watchlistPollSeconds * 1000 }] : []),
  ];
  const sub = daemon.kernel.stream$.subscribe((e) => {
    if (e.kind === 'ranking') lastAt.set(`ranking ${e.market}`, clock.now());
    else if (e.kind === 'watchlist') lastAt.set('watchlist', clock.now());
  });
  const recording = daemon.recording;
  const monitor = createDegradedMonitor(
    {
      now: () => clock.now(),
      store: () => daemon.store.stats(),
      ...(recording ? { recording: () => recording.stats() } : {}),
      polls: () => polls.map((p) => ({ ...p, lastAt: lastAt.get(p.name) ?? null })),
      strategies: () => daemon.kernel.strategyStats(),
    },
    clock.now(),
  );
  return { monitor, stop: () => sub.unsubscribe() };
}
