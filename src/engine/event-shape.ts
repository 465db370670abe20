import type { MarketEvent } from '../core/market.js';

/** What a fault log says about the event (never a whole poll payload). */
export function describeEvent(event: MarketEvent): Record<string, unknown> {
  switch (event.kind) {
    case 'ranking':
    case 'program-trading':
      return { kind: event.kind, market: event.market, entries: event.entries.length, tsRecv: event.tsRecv };
    case 'watchlist':
      return { kind: event.kind, groups: event.groups.length, tsRecv: event.tsRecv };
    default:
      return { kind: event.kind, symbol: event.symbol, tsEvent: event.tsEvent, tsRecv: event.tsRecv };
  }
}

/** Strategies get frozen events; poll events are frozen deeply (entries, groups). */
export function freezeEvent(event: MarketEvent): void {
  if (Object.isFrozen(event)) return;
  switch (event.kind) {
    case 'ranking':
    case 'program-trading':
      for (const entry of event.entries) Object.freeze(entry);
      Object.freeze(event.entries);
      break;
    case 'watchlist':
      for (const group of event.groups) {
        Object.freeze(group.symbols);
        Object.freeze(group);
      }
      Object.freeze(event.groups);
      break;
    case 'raw':
      Object.freeze(event.values);
      break;
  }
  Object.freeze(event);
}
