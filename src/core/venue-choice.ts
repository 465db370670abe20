import type { Exchange } from './market.js';
import type { StockMaster } from './stock-master.js';

/**
 * What the user subscribes a stock on (config `universe.venue`): one venue for every stock, or
 * `auto`: SOR (Kiwoom's 통합 `_AL` feed, both venues' prints) where the stock master says the stock
 * trades on NXT (`nxtEnable`), else KRX; with no master loaded (or a stock it does not list): KRX.
 */
export type VenueChoice = Exchange | 'auto';

export const VENUE_CHOICES: readonly VenueChoice[] = ['auto', 'KRX', 'NXT', 'SOR'];

/** The venue a symbol is subscribed on under `choice`. */
export function chooseVenue(choice: VenueChoice, symbol: string, master: StockMaster | undefined): Exchange {
  if (choice !== 'auto') return choice;
  return master?.get(symbol)?.nxtEnable === true ? 'SOR' : 'KRX';
}

/**
 * The venue of the market-wide polls (ka90003/ka90004 `stex_tp`): the choice when it names one
 * venue; under `auto` KRX (every listed stock trades there; NXT lists about 800).
 */
export function pollVenue(choice: VenueChoice): Exchange {
  return choice === 'auto' ? 'KRX' : choice;
}
