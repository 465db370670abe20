import { parseSigned } from './values.js';

/**
 * The 0B 주식체결 FIDs whose unit or sign on the real server differs from what their names suggest
 * (protocol.md 10.3, KWP:실시간시세/0B.txt @372a17f, three entries of 005930):
 *
 * - 1313 순간거래대금 is in 천원, truncated: "+911" for 3 x 303,750 원 (911,250 원).
 * - 1314 순매수체결량 is per trade (= 1316 - 1315), not a running total: "+3".
 * - 1315 / 1316 매도/매수체결량_단건 carry a sign or a leading space: " 0" / "+3".
 * - 9081 거래소구분 is text ("KRX"), not a digit; the NXT and 통합 strings are [U], so kept verbatim.
 * - 15 거래량 is signed, + buyer-initiated (read by the trade decoder as `volume` and `side`).
 *
 * The trade decoder does not put these on TradeEvent (src/core/market.ts); this reads them from an
 * entry's values where a consumer wants them (a raw event's values, or a recorded frame).
 */
export interface TradeFlow {
  /** 1313 in won: the wire's 천원 x 1000 (a lower bound: the wire truncates). Null when absent or unreadable. */
  readonly tradeValueWon: number | null;
  /** 1314: this trade's buy minus sell quantity (signed). */
  readonly netBuyQty: number | null;
  /** 1315: this trade's sell-initiated quantity (magnitude). */
  readonly sellQty: number | null;
  /** 1316: this trade's buy-initiated quantity (magnitude). */
  readonly buyQty: number | null;
  /** 9081 as sent ("KRX"); null when absent or blank. */
  readonly venueText: string | null;
}

export function decodeTradeFlow(values: Readonly<Record<string, unknown>>): TradeFlow {
  const value = read(values['1313']);
  const sell = read(values['1315']);
  const buy = read(values['1316']);
  const venue = values['9081'];
  return {
    tradeValueWon: value === null ? null : value * 1000,
    netBuyQty: read(values['1314']),
    sellQty: sell === null ? null : Math.abs(sell),
    buyQty: buy === null ? null : Math.abs(buy),
    venueText: typeof venue === 'string' && venue.trim() !== '' ? venue.trim() : null,
  };
}

function read(x: unknown): number | null {
  if (typeof x !== 'string') return null;
  const n = parseSigned(x);
  return Number.isNaN(n) ? null : n;
}
