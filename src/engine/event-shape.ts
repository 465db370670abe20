import { deepFreeze } from '../core/deep-freeze.js';
import type { MarketEvent } from '../core/market.js';

/** What a fault log says about the event: never a whole poll payload, only its list sizes. */
export function describeEvent(event: MarketEvent): Record<string, unknown> {
  if ('symbol' in event) return { kind: event.kind, symbol: event.symbol, tsEvent: event.tsEvent, tsRecv: event.tsRecv };
  const described: Record<string, unknown> = { kind: event.kind };
  for (const [key, value] of Object.entries(event)) {
    if (Array.isArray(value)) described[key] = value.length;
    else if (key === 'market') described[key] = value;
  }
  described.tsRecv = event.tsRecv;
  return described;
}

/** Strategies get frozen events; anything but a trade or a quote is frozen deeply (entries, groups, values). */
export function freezeEvent(event: MarketEvent): void {
  if (Object.isFrozen(event)) return;
  if (event.kind === 'trade' || event.kind === 'indicative') Object.freeze(event);
  else deepFreeze(event);
}
