import type { OutboxRouting } from '../../adapters/store/index.js';
import type { NotifySinkConfig } from '../../config/notify-schema.js';
import type { Signal } from '../../core/signal.js';

type Filters = NotifySinkConfig['filters'];

/** True when a signal passes a sink's filters (an empty list lets everything through). */
export function passes(filters: Filters, s: Signal): boolean {
  if (filters.strategies.length > 0 && !filters.strategies.includes(s.strategy)) return false;
  if (filters.kinds.length > 0 && !filters.kinds.includes(s.kind)) return false;
  if (filters.symbols.length > 0 && !filters.symbols.includes(s.symbol)) return false;
  if (filters.venues.length > 0 && !filters.venues.includes(s.venue)) return false;
  return true;
}

/** The store's question "which sinks want this signal", from the enabled sinks' filters. */
export function createNotifyRouting(sinks: readonly NotifySinkConfig[], options: { readonly replay?: boolean; readonly now?: () => number } = {}): OutboxRouting {
  const enabled = sinks.filter((s) => s.enabled);
  return {
    sinksFor: (s) => {
      const out: string[] = [];
      for (const sink of enabled) if (passes(sink.filters, s)) out.push(sink.name);
      return out;
    },
    ...(options.replay ? { replay: true } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
}
