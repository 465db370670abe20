/**
 * FID tables of the market-structure real-time types (protocol.md 10.3 and 12): 0w 종목프로그램매매,
 * 1h VI발동/해제, 0g 주식종목정보, 0D 주식호가잔량. One table per type: which FIDs we read, into which
 * named field, how each is parsed, whether it is required and the range a sane value lies in. The
 * reference decoder (realtime-market-decoder.ts) and the declared schemas (realtime-schema.ts) are both
 * built from these tables; the byte decoder (realtime-fast.ts) takes none of these types and falls back.
 */
import { LIMITS, type FidParse } from './realtime-fids.js';

/** `text` keeps the trimmed string (1h's `"+정적"`, 0g's extension flags). */
export type MarketFidParse = FidParse | 'text';

export interface MarketFidRule {
  readonly fid: string;
  /** The field the value is filed under (the builders read fields, never FID numbers). */
  readonly field: string;
  readonly parse: MarketFidParse;
  /** A required FID missing or unreadable fails the entry; an optional one reads as NaN (or ''). */
  readonly required: boolean;
  /** Sane magnitude (numbers only). */
  readonly max: number;
}

const r = (fid: string, field: string, parse: MarketFidParse, required: boolean, max = 0): MarketFidRule => ({ fid, field, parse, required, max });

/** Program amounts are 백만원; generous like the other amount limits. */
const AMOUNT = LIMITS.amount;
const QTY = LIMITS.quantity;
const PRICE = LIMITS.price;
const TIME = 86_399;

/** 0w: key order of the real run (20, 10, 25, 11, 12, 13, 202 ... 211), KWP:실시간시세/0w.txt @47d20c2. */
export const PROGRAM_FLOW_RULES: readonly MarketFidRule[] = [
  r('20', 'time', 'time', false, TIME),
  r('10', 'price', 'price', false, PRICE),
  r('25', 'sign', 'sign', false, 5),
  r('11', 'change', 'signed', false, PRICE),
  r('12', 'changeRate', 'rate', false, LIMITS.rate),
  r('13', 'cumVolume', 'signed', false, QTY),
  r('202', 'sellQuantity', 'signed', true, QTY),
  r('204', 'sellAmount', 'signed', true, AMOUNT),
  r('206', 'buyQuantity', 'signed', true, QTY),
  r('208', 'buyAmount', 'signed', true, AMOUNT),
  r('210', 'netQuantity', 'signed', false, QTY),
  r('212', 'netAmount', 'signed', false, AMOUNT),
  r('211', 'netQuantityChange', 'signed', false, QTY),
  r('213', 'netAmountChange', 'signed', false, AMOUNT),
];

/** 1h: KWP:실시간시세/1h.txt @372a17f; 1279 carries direction and type as text (`"-정적"`). */
export const VI_RULES: readonly MarketFidRule[] = [
  r('9001', 'code', 'text', false),
  r('1221', 'triggerPrice', 'price', true, PRICE),
  r('9068', 'triggerKind', 'text', false),
  r('9069', 'direction', 'text', false),
  r('1279', 'extra', 'text', false),
  r('1225', 'viType', 'text', false),
  r('1223', 'triggerTime', 'time', false, TIME),
  r('1224', 'releaseTime', 'time', false, TIME),
  r('1236', 'staticReference', 'price', false, PRICE),
  r('1237', 'dynamicReference', 'price', false, PRICE),
  r('1238', 'staticDeviation', 'rate', false, LIMITS.rate),
  r('1239', 'dynamicDeviation', 'rate', false, LIMITS.rate),
  r('1489', 'changeRate', 'rate', false, LIMITS.rate),
  r('1490', 'count', 'signed', false, 10_000),
];

/** 0g: no real dump (protocol.md 12.5); prices read as the other prices do. */
export const STOCK_INFO_RULES: readonly MarketFidRule[] = [
  r('305', 'upperLimit', 'price', true, PRICE),
  r('306', 'lowerLimit', 'price', true, PRICE),
  r('307', 'referencePrice', 'price', false, PRICE),
  r('297', 'extension', 'text', false),
  r('592', 'openingExtension', 'text', false),
  r('593', 'closingExtension', 'text', false),
];

const LEVELS = 10;
const range = (from: number): number[] => Array.from({ length: LEVELS }, (_, i) => from + i);

/**
 * 0D: KWP:실시간시세/0D.txt @47d20c2 (138 FIDs; we read 72). Level 1 and the totals are required,
 * deeper levels optional (a thin book may leave them out); the split depth 6044-6087 is optional.
 */
export const BOOK_RULES: readonly MarketFidRule[] = [
  r('21', 'time', 'time', false, TIME),
  ...range(41).map((f, i) => r(String(f), `ask${i + 1}`, 'price', i === 0, PRICE)),
  ...range(51).map((f, i) => r(String(f), `bid${i + 1}`, 'price', i === 0, PRICE)),
  ...range(61).map((f, i) => r(String(f), `askQty${i + 1}`, 'signed', i === 0, QTY)),
  ...range(71).map((f, i) => r(String(f), `bidQty${i + 1}`, 'signed', i === 0, QTY)),
  r('121', 'totalAsk', 'signed', true, QTY),
  r('125', 'totalBid', 'signed', true, QTY),
  r('122', 'totalAskChange', 'signed', false, QTY),
  r('126', 'totalBidChange', 'signed', false, QTY),
  r('23', 'expectedPrice', 'price', false, PRICE),
  r('24', 'expectedQuantity', 'signed', false, QTY),
  ...range(6044).map((f, i) => r(String(f), `krxAsk${i + 1}`, 'signed', false, QTY)),
  ...range(6054).map((f, i) => r(String(f), `krxBid${i + 1}`, 'signed', false, QTY)),
  r('6064', 'krxTotalAsk', 'signed', false, QTY),
  r('6065', 'krxTotalBid', 'signed', false, QTY),
  ...range(6066).map((f, i) => r(String(f), `nxtAsk${i + 1}`, 'signed', false, QTY)),
  ...range(6076).map((f, i) => r(String(f), `nxtBid${i + 1}`, 'signed', false, QTY)),
  r('6086', 'nxtTotalAsk', 'signed', false, QTY),
  r('6087', 'nxtTotalBid', 'signed', false, QTY),
];

export const BOOK_LEVELS = LEVELS;

/** The market-structure types and their tables. */
export const MARKET_RULES_BY_TYPE: Readonly<Record<string, readonly MarketFidRule[]>> = {
  '0w': PROGRAM_FLOW_RULES,
  '1h': VI_RULES,
  '0g': STOCK_INFO_RULES,
  '0D': BOOK_RULES,
};
