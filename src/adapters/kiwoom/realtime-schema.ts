import { z } from 'zod';

/**
 * The declared shape of Kiwoom real-time frames (protocol.md 3.2-3.5, seed 002). The hot path in
 * realtime-decoder.ts checks exactly these rules by hand (zod costs 7-13 us an entry there); a property
 * test keeps the two in agreement.
 */
export const realEntrySchema = z.object({
  type: z.string().min(1),
  name: z.string().optional(),
  item: z.string().min(1),
  /** FID number -> string value; unknown FIDs pass through. */
  values: z.record(z.string(), z.string()),
});

export const realFrameSchema = z.object({
  trnm: z.literal('REAL'),
  data: z.array(z.unknown()),
});

/** FIDs a 0B 주식체결 entry must carry to be usable. */
export const TRADE_REQUIRED_FIDS = ['10', '11', '12', '13', '15', '20'] as const;
/** FIDs a 0A 주식기세 entry must carry. */
export const INDICATIVE_REQUIRED_FIDS = ['10', '11', '12', '13'] as const;

/** LOGIN / REG / REMOVE acks, PING and SYSTEM notices. */
export const controlFrameSchema = z.object({
  trnm: z.string(),
  return_code: z.union([z.number(), z.string()]).optional(),
  return_msg: z.string().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
});

export type RealEntry = z.infer<typeof realEntrySchema>;
