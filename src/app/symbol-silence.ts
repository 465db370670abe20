import type { Clock } from '../core/clock.js';

/**
 * Reports an acknowledged symbol that stays silent (no REAL entry) for `silentMs` during the
 * session: once per silence, again only after it spoke. A broker that accepts a REG and then sends
 * nothing for it would otherwise look healthy.
 */
export interface SymbolSilenceWatch {
  /** An entry for `symbol` arrived. */
  entry(symbol: string): void;
  start(): void;
  stop(): void;
  /** Symbols silent right now. */
  silent(): string[];
}

export interface SymbolSilenceOptions {
  readonly clock: Clock;
  readonly silentMs: number;
  readonly ackedItems: () => ReadonlySet<string>;
  readonly isSessionOpen: () => boolean;
  readonly onSilent: (symbol: string, silentForMs: number) => void;
}

export function createSymbolSilenceWatch(options: SymbolSilenceOptions): SymbolSilenceWatch {
  const { clock, silentMs } = options;
  /** symbol -> monotonic time of its last entry (or of when it was first seen acknowledged). */
  const lastHeard = new Map<string, number>();
  const reported = new Set<string>();
  let timer: unknown = undefined;

  const check = (): void => {
    const now = clock.monotonic();
    const acked = options.ackedItems();
    for (const symbol of lastHeard.keys()) if (!acked.has(symbol)) {
      lastHeard.delete(symbol);
      reported.delete(symbol);
    }
    const open = options.isSessionOpen();
    for (const symbol of acked) {
      const heard = lastHeard.get(symbol);
      // Silence counts only while the session is open: the clock starts again at the open.
      if (heard === undefined || !open) {
        lastHeard.set(symbol, now);
        continue;
      }
      if (now - heard >= silentMs && !reported.has(symbol)) {
        reported.add(symbol);
        options.onSilent(symbol, now - heard);
      }
    }
  };

  return {
    entry(symbol) {
      lastHeard.set(symbol, clock.monotonic());
      reported.delete(symbol);
    },
    start() {
      if (timer === undefined) timer = clock.setInterval(check, Math.max(1_000, Math.min(60_000, Math.floor(silentMs / 4))));
    },
    stop() {
      if (timer !== undefined) clock.clearInterval(timer);
      timer = undefined;
    },
    silent: () => [...reported].sort(),
  };
}
