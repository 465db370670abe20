import type { Exchange } from '../../core/market.js';

/**
 * Kiwoom's venue encodings (protocol.md 11.3), in one place at the edge: the `_NX` / `_AL` suffix of a
 * REST `stk_cd` or a WebSocket `item`, and the TR request field `stex_tp`. Nothing past the adapters
 * sees a suffix: symbols are six-digit codes and the venue travels beside them.
 */

/** `005930_NX` -> `005930`. */
export function symbolOf(item: string): string {
  const cut = item.indexOf('_');
  return cut < 0 ? item : item.slice(0, cut);
}

/** The venue an item names: `_NX` NXT, `_AL` SOR (통합), anything else KRX. */
export function venueOfItem(item: string): Exchange {
  if (item.length <= 6) return 'KRX';
  if (item.endsWith('_NX')) return 'NXT';
  if (item.endsWith('_AL')) return 'SOR';
  return 'KRX';
}

/** The REG item / REST `stk_cd` of a symbol on a venue: `005930`, `005930_NX`, `005930_AL`. */
export function itemOf(symbol: string, venue: Exchange): string {
  return venue === 'NXT' ? `${symbol}_NX` : venue === 'SOR' ? `${symbol}_AL` : symbol;
}

/** TR request `stex_tp`: 1 KRX, 2 NXT, 3 통합 (SOR). */
export function stexTpOf(venue: Exchange): '1' | '2' | '3' {
  return venue === 'NXT' ? '2' : venue === 'SOR' ? '3' : '1';
}
