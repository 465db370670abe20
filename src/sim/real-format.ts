import { changeRate, signCode, signedInt, signedPrice, signedRate, tickDown, tickUp } from './format.js';
import type { SimStock } from './universe.js';
import type { TradeResult } from './market.js';

/**
 * Builds REAL entry strings directly (no JSON.stringify of objects): the hot path at tens of
 * thousands of entries a second. Values contain only digits, signs, dots and spaces, so no
 * escaping is needed.
 */

/**
 * FID 9081 거래소구분 as the real server writes it: text, `"KRX"` for a bare code (KWP 0B.txt). The
 * strings for NXT and 통합 are [U]; `"NXT"` for `_NX` is a guess, and an `_AL` trade is reported as KRX
 * (under the sessions option: the venue that printed it, see real-feed.ts).
 */
export function venueText(item: string): string {
  return item.endsWith('_NX') ? 'NXT' : 'KRX';
}

/** Shared price FIDs (10 11 12 27 28 13 14 16 17 18 25 26 29 30 31 32 311) as a JSON fragment. */
function priceFields(s: SimStock): string {
  const pc = s.prevClose;
  const p = s.price;
  const ask = Math.min(s.upper, tickUp(p));
  const bid = Math.max(s.lower, tickDown(p));
  const volDiff = s.accVolume - s.prevVolume;
  const volRatio = s.prevVolume === 0 ? 0 : (s.accVolume / s.prevVolume) * 100;
  const turnover = (s.accVolume / s.listCount) * 100;
  return (
    `"10":"${signedPrice(p, pc, ' ')}","11":"${signedInt(p - pc)}","12":"${signedRate(changeRate(p, pc))}",` +
    `"27":"${signedPrice(ask, pc, ' ')}","28":"${signedPrice(bid, pc, ' ')}",` +
    `"13":"${s.accVolume}","14":"${Math.floor(s.accValue / 1_000_000)}",` +
    `"16":"${signedPrice(s.open, pc, ' ')}","17":"${signedPrice(s.high, pc, ' ')}","18":"${signedPrice(s.low, pc, ' ')}",` +
    `"25":"${signCode(p, pc)}","26":"${signedInt(volDiff)}","29":"${signedInt(s.accValue - s.prevVolume * pc)}",` +
    `"30":"${signedRate(volRatio)}","31":"${turnover.toFixed(2)}","32":"${Math.max(1, Math.round(p / 500))}",` +
    `"311":"${Math.floor((p * s.listCount) / 100_000_000)}"`
  );
}

/** A quantity with the trade's sign, or `" 0"` (KWP 0B.txt FIDs 1315/1316: `" 0"` / `"+3"`). */
function sidedQty(qty: number, side: 1 | -1): string {
  if (qty === 0) return ' 0';
  return side === 1 ? `+${qty}` : `-${qty}`;
}

/**
 * The `values` body of a 0B 주식체결 entry, without braces and without FID 9081, in the real forms
 * (KWP 0B.txt): 15 signed by side, 1313 in 천원 truncated, 1314 this trade's net (1316 − 1315), 1315/1316
 * signed or `" 0"`, 851 a x100 integer, 290 `"2"` in the continuous session, non-zero CFD costs.
 */
export function tradeValues(s: SimStock, t: TradeResult, hhmmss: string): string {
  const strength = s.sellVolume === 0 ? 500 : Math.min(500, (s.buyVolume / s.sellVolume) * 100);
  const buyRatio = s.accVolume === 0 ? 0 : (s.buyVolume / s.accVolume) * 100;
  const vwap = s.accVolume === 0 ? s.price : Math.round(s.accValue / s.accVolume);
  const sign = t.side === 1 ? '+' : '-';
  return (
    `"20":"${hhmmss}",${priceFields(s)},"15":"${sign}${t.qty}",` +
    `"228":"${strength.toFixed(2)}","290":"2","691":"0","567":"${s.upperTime}","568":"${s.lowerTime}",` +
    `"851":"${Math.round((s.accVolume / Math.max(1, s.prevVolume)) * 10_000)}",` +
    `"1890":"${s.openTime}","1891":"${s.highTime}","1892":"${s.lowTime}",` +
    `"1030":"${s.sellVolume}","1031":"${s.buyVolume}","1032":"${buyRatio.toFixed(2)}",` +
    `"1071":"${s.sellCount}","1072":"${s.buyCount}","1313":"${sign}${Math.trunc((t.qty * s.price) / 1000)}",` +
    `"1314":"${sign}${t.qty}","1315":"${sidedQty(t.side === -1 ? t.qty : 0, -1)}","1316":"${sidedQty(t.side === 1 ? t.qty : 0, 1)}",` +
    `"1497":"${Math.round(s.price * 0.4)}","1498":"${Math.round(s.price * 0.32)}","620":"${vwap}",` +
    `"732":"${Math.max(1, Math.round(s.price / 200))}","852":"${Math.max(1, Math.round(s.price / 250))}"`
  );
}

/** The `values` body of a 0A 주식기세 entry, without braces. */
export function indicativeValues(s: SimStock): string {
  return priceFields(s) + `,"567":"${s.upperTime}","568":"${s.lowerTime}"`;
}

/** One complete REAL entry. */
export function realEntry(type: '0B' | '0A', item: string, values: string, venue: string = venueText(item)): string {
  const name = type === '0B' ? '주식체결' : '주식기세';
  const ex = type === '0B' ? `,"9081":"${venue}"` : '';
  return `{"type":"${type}","name":"${name}","item":"${item}","values":{${values}${ex}}}`;
}

/** A REAL frame around already-built entries. */
export function realFrame(entries: readonly string[]): string {
  return `{"trnm":"REAL","data":[${entries.join(',')}]}`;
}
