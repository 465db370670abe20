import type { MarketEvent } from '../../core/market.js';

/** The wire type of a real-time event (Kiwoom's pub/sub naming); poll results are `krx.<kind>`. */
export function topicOf(event: MarketEvent): string {
  if (event.kind === 'trade') return 'kiwoom.realtime.0B';
  if (event.kind === 'indicative') return 'kiwoom.realtime.0A';
  if (event.kind === 'raw') return `kiwoom.realtime.${event.type}`;
  return `krx.${event.kind}`;
}

/** The envelope's `venue`: the event's venue, or '' when it has none. */
export function venueOfEvent(event: MarketEvent): string {
  const venue = (event as { venue?: unknown }).venue;
  return typeof venue === 'string' ? venue : '';
}
