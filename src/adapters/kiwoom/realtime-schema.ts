import { z } from 'zod';
import { INDICATIVE_RULES, optionalFids, requiredFids, TRADE_RULES } from './realtime-fids.js';
import { MARKET_RULES_BY_TYPE } from './realtime-market-fids.js';

/**
 * The declared shape of Kiwoom real-time frames (protocol.md 3.2-3.5, seed 002). The decoders
 * (realtime-decoder.ts, realtime-fast.ts) check exactly these rules without zod (zod costs 7-13 us an entry there); a property
 * test keeps the two in agreement.
 *
 * Per type, only the FIDs we read are checked: required ones must be strings, optional ones must be
 * strings when present; every other FID is tolerated whatever its value (a 0B entry carries ~43 FIDs,
 * checking all of them cost more than decoding the ones we use). `name` is never read, so never checked.
 */

/** FIDs a 0B 주식체결 entry must carry to be usable (from the table in realtime-fids.ts). */
export const TRADE_REQUIRED_FIDS: readonly string[] = requiredFids(TRADE_RULES);
/** FIDs a 0B entry may carry and we read (absent or unreadable reads as 0, or null for 228). */
export const TRADE_OPTIONAL_FIDS: readonly string[] = optionalFids(TRADE_RULES);
/** FIDs a 0A 주식기세 entry must carry. */
export const INDICATIVE_REQUIRED_FIDS: readonly string[] = requiredFids(INDICATIVE_RULES);
/** FIDs a 0A entry may carry and we read. */
export const INDICATIVE_OPTIONAL_FIDS: readonly string[] = optionalFids(INDICATIVE_RULES);

function valuesSchema(required: readonly string[], optional: readonly string[]) {
  const shape: Record<string, z.ZodType> = {};
  for (const fid of required) shape[fid] = z.string();
  for (const fid of optional) shape[fid] = z.string().optional();
  return z.object(shape).catchall(z.unknown());
}

export const tradeValuesSchema = valuesSchema(TRADE_REQUIRED_FIDS, TRADE_OPTIONAL_FIDS);
export const indicativeValuesSchema = valuesSchema(INDICATIVE_REQUIRED_FIDS, INDICATIVE_OPTIONAL_FIDS);

const item = z.string().min(1);

/** 0B: the read FIDs checked, the rest tolerated. */
export const tradeEntrySchema = z.object({ type: z.literal('0B'), item, values: tradeValuesSchema });
/** 0A: the read FIDs checked, the rest tolerated. */
export const indicativeEntrySchema = z.object({ type: z.literal('0A'), item, values: indicativeValuesSchema });
/** The stock code of an item: the part before `_`, 1-12 characters. */
const stockItem = (item: string): boolean => {
  const cut = item.indexOf('_');
  const code = cut < 0 ? item : item.slice(0, cut);
  return code.length > 0 && code.length <= 12;
};

/**
 * 0w/1h/0g/0D (realtime-market-fids.ts): the read FIDs checked, the rest tolerated. A 1h entry registered
 * with item [""] names its stock in FID 9001 (protocol.md 10.3).
 */
export const marketEntrySchemas = Object.entries(MARKET_RULES_BY_TYPE).map(([type, rules]) =>
  z
    .object({
      type: z.literal(type),
      item: z.string(),
      values: valuesSchema(
        rules.filter((r) => r.required).map((r) => r.fid),
        rules.filter((r) => !r.required).map((r) => r.fid),
      ),
    })
    .refine((e) => stockItem(type === '1h' && e.item.length === 0 ? String(e.values['9001'] ?? '') : e.item)),
);

const DECODED_TYPES = new Set(['0B', '0A', ...Object.keys(MARKET_RULES_BY_TYPE)]);

/**
 * Any other type is passed through as a RawRealEvent, its values untouched; so every value must be a
 * string (a raw entry with a non-string value is a decode error: the event type promises strings).
 */
export const rawEntrySchema = z.object({
  type: z
    .string()
    .min(1)
    .refine((t) => !DECODED_TYPES.has(t)),
  // A market-wide type registered with item [""] answers with item "" (0s 장시작시간, protocol.md 10.3).
  item: z.string(),
  values: z.record(z.string(), z.string()),
});

/** One entry of a REAL frame's `data` list. */
export const realEntrySchema = z.union([tradeEntrySchema, indicativeEntrySchema, ...marketEntrySchemas, rawEntrySchema]);

export type RealEntry = z.infer<typeof realEntrySchema>;
