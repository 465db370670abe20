import { z } from 'zod';
import type { Exchange } from '../../core/market.js';
import { splitVenue } from './codecs.js';

/** Kiwoom URL paths per category (protocol.md section 2, official api_id -> url map). */
export const KIWOOM_PATHS = {
  stkinfo: '/api/dostk/stkinfo',
  mrkcond: '/api/dostk/mrkcond',
  sect: '/api/dostk/sect',
} as const;

/** Fields every TR response carries; handled by the client before the schema. */
export const ENVELOPE_KEYS: ReadonlySet<string> = new Set(['return_code', 'return_msg']);

/**
 * One Kiwoom TR: its api-id, path, request type (phantom) and response schema. `listKey` names the
 * array concatenated across continuation pages; `topKeys`/`rowKeys` are the documented field names
 * used to spot schema drift.
 */
export interface TrSpec<Req, Res> {
  readonly apiId: string;
  readonly path: string;
  readonly schema: z.ZodType<Res>;
  readonly listKey: string | undefined;
  readonly topKeys: ReadonlySet<string>;
  readonly rowKeys: ReadonlySet<string> | undefined;
  /** Phantom: the request body type. */
  readonly request?: Req;
}

/** A decoded row or object: with a `venue` field where the shape has `stk_cd`. */
export type Decoded<Shape extends z.ZodRawShape> = z.output<z.ZodObject<Shape>> & ('stk_cd' extends keyof Shape ? { venue: Exchange } : unknown);

/**
 * The schema of one object: a `stk_cd` loses its venue suffix into `venue` (`"000010_AL"` ->
 * `stk_cd "000010"`, `venue "SOR"`), so codes join across TRs and venues.
 */
function objectSchema<Shape extends z.ZodRawShape>(shape: Shape): z.ZodType<Decoded<Shape>> {
  const plain = z.object(shape);
  if (!('stk_cd' in shape)) return plain as unknown as z.ZodType<Decoded<Shape>>;
  return plain.transform((row) => {
    const r = row as Record<string, unknown>;
    if (typeof r.stk_cd !== 'string') return { ...r, venue: 'KRX' };
    const { code, venue } = splitVenue(r.stk_cd);
    return { ...r, stk_cd: code, venue };
  }) as unknown as z.ZodType<Decoded<Shape>>;
}

/** A TR whose response is one flat object (ka10001, ka10100). */
export function defineObjectTr<Req, Shape extends z.ZodRawShape>(
  apiId: string,
  path: string,
  shape: Shape,
): TrSpec<Req, Decoded<Shape>> {
  return {
    apiId,
    path,
    schema: objectSchema(shape),
    listKey: undefined,
    topKeys: new Set(Object.keys(shape)),
    rowKeys: undefined,
  };
}

type ListOutput<K extends string, Row extends z.ZodRawShape, Top extends z.ZodRawShape> = z.output<
  z.ZodObject<Top>
> & { [P in K]: Decoded<Row>[] };

/**
 * A TR whose response holds a list under `listKey` (an absent list reads as empty), plus optional
 * top-level fields (ka90004's totals).
 */
export function defineListTr<Req, K extends string, Row extends z.ZodRawShape, Top extends z.ZodRawShape = {}>(
  apiId: string,
  path: string,
  listKey: K,
  row: Row,
  top?: Top,
): TrSpec<Req, ListOutput<K, Row, Top>> {
  const topShape = { ...(top ?? {}), [listKey]: z.array(objectSchema(row)).default([]) };
  return {
    apiId,
    path,
    schema: z.object(topShape) as unknown as z.ZodType<ListOutput<K, Row, Top>>,
    listKey,
    topKeys: new Set(Object.keys(topShape)),
    rowKeys: new Set(Object.keys(row)),
  };
}
