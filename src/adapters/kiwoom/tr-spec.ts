import { z } from 'zod';

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

/** A TR whose response is one flat object (ka10001, ka10100). */
export function defineObjectTr<Req, Shape extends z.ZodRawShape>(
  apiId: string,
  path: string,
  shape: Shape,
): TrSpec<Req, z.output<z.ZodObject<Shape>>> {
  return {
    apiId,
    path,
    schema: z.object(shape) as unknown as z.ZodType<z.output<z.ZodObject<Shape>>>,
    listKey: undefined,
    topKeys: new Set(Object.keys(shape)),
    rowKeys: undefined,
  };
}

type ListOutput<K extends string, Row extends z.ZodRawShape, Top extends z.ZodRawShape> = z.output<
  z.ZodObject<Top>
> & { [P in K]: z.output<z.ZodObject<Row>>[] };

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
  const topShape = { ...(top ?? {}), [listKey]: z.array(z.object(row)).default([]) };
  return {
    apiId,
    path,
    schema: z.object(topShape) as unknown as z.ZodType<ListOutput<K, Row, Top>>,
    listKey,
    topKeys: new Set(Object.keys(topShape)),
    rowKeys: new Set(Object.keys(row)),
  };
}
