import { z } from 'zod';
import { INDICATIVE_RULES, optionalFids, requiredFids, TRADE_RULES } from './realtime-fids.js';

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
/**
 * Any other type is passed through as a RawRealEvent, its values untouched; so every value must be a
 * string (a raw entry with a non-string value is a decode error: the event type promises strings).
 */
export const rawEntrySchema = z.object({
  type: z
    .string()
    .min(1)
    .refine((t) => t !== '0B' && t !== '0A'),
  item,
  values: z.record(z.string(), z.string()),
});

/** One entry of a REAL frame's `data` list. */
export const realEntrySchema = z.union([tradeEntrySchema, indicativeEntrySchema, rawEntrySchema]);

export type RealEntry = z.infer<typeof realEntrySchema>;
