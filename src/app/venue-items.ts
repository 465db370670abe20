import { itemOf } from '../adapters/kiwoom/venue-codes.js';
import type { Exchange } from '../core/market.js';
import type { StockMaster } from '../core/stock-master.js';
import { chooseVenue, type VenueChoice } from '../core/venue-choice.js';
import type { UniverseDiff } from '../pipeline/universe.js';

/**
 * Turns the universe's symbol diffs into the WebSocket's items under the venue choice (config
 * `universe.venue`). A symbol keeps the item it was added with until it leaves the universe, so a
 * stock master loaded (or changed) later never strands a registration: the REMOVE names what the REG
 * named. Used by the daemon before the connection and by replay before its wanted set, so both drop
 * the same entries.
 */
export interface VenueItems {
  toItems(diff: UniverseDiff): UniverseDiff;
  /** The item of an arriving event (its symbol and venue), the key the wanted set is checked with. */
  readonly itemOf: (symbol: string, venue: Exchange | undefined) => string;
}

const VENUES: readonly Exchange[] = ['KRX', 'NXT', 'SOR'];

/**
 * Whether replay passes an event on, as the live connection does: by its item, except a VI (1h, which
 * the server sends for every stock under whichever venue item, `066310_AL` and `066310`): by its stock
 * on any venue.
 */
export function replayWants(wanted: ReadonlySet<string>, e: { readonly kind: string; readonly symbol: string; readonly venue?: Exchange }): boolean {
  if (e.kind === 'vi') return VENUES.some((v) => wanted.has(itemOf(e.symbol, v)));
  return wanted.has(e.venue === undefined ? e.symbol : itemOf(e.symbol, e.venue));
}

export function createVenueItems(choice: VenueChoice, master: () => StockMaster | undefined = () => undefined): VenueItems {
  /** Symbol -> the item it was added with; bounded by the universe. */
  const added = new Map<string, string>();
  return {
    toItems(diff) {
      const remove = diff.remove.map((symbol) => {
        const item = added.get(symbol) ?? symbol;
        added.delete(symbol);
        return item;
      });
      const add = diff.add.map((symbol) => {
        const item = itemOf(symbol, chooseVenue(choice, symbol, master()));
        added.set(symbol, item);
        return item;
      });
      return { ...diff, add: add.sort(), remove: remove.sort() };
    },
    itemOf: (symbol, venue) => (venue === undefined ? symbol : itemOf(symbol, venue)),
  };
}
