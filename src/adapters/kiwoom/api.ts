import type { KiwoomRest, TrResult } from './rest-client.js';
import type { TrSpec } from './tr-spec.js';
import { ka10001, type Ka10001Request } from './tr/ka10001.js';
import { ka10058, type Ka10058Request } from './tr/ka10058.js';
import { ka10059, type Ka10059Request } from './tr/ka10059.js';
import { ka10061, type Ka10061Request } from './tr/ka10061.js';
import { ka10066, type Ka10066Request } from './tr/ka10066.js';
import { ka10099, type Ka10099Request } from './tr/ka10099.js';
import { ka10100, type Ka10100Request } from './tr/ka10100.js';
import { ka10101, type Ka10101Request } from './tr/ka10101.js';
import { ka20002, type Ka20002Request } from './tr/ka20002.js';
import { ka90003, type Ka90003Request } from './tr/ka90003.js';
import { ka90004, type Ka90004Request } from './tr/ka90004.js';

/** Every TR the bot uses, by api-id. */
export const KIWOOM_TRS = { ka10001, ka10058, ka10059, ka10061, ka10066, ka10099, ka10100, ka10101, ka20002, ka90003, ka90004 };

type Trs = typeof KIWOOM_TRS;
type Call<T> = T extends TrSpec<infer Req, infer Res> ? (req: Req, options?: { maxPages?: number }) => Promise<TrResult<Res>> : never;

/** Typed functions, one per TR, derived from KIWOOM_TRS. Example: `const { data } = await api.ka90003({ trde_upper_tp: '2', ... })`. */
export type KiwoomApi = { readonly [Id in keyof Trs]: Call<Trs[Id]> };

export function createKiwoomApi(rest: KiwoomRest): KiwoomApi {
  const api: Record<string, unknown> = {};
  for (const [id, tr] of Object.entries(KIWOOM_TRS)) {
    api[id] = (req: unknown, options?: { maxPages?: number }) => rest.call(tr as TrSpec<unknown, unknown>, req, options);
  }
  return api as KiwoomApi;
}

export type { Ka10001Request, Ka10058Request, Ka10059Request, Ka10061Request, Ka10066Request, Ka10099Request };
export type { Ka10100Request, Ka10101Request, Ka20002Request, Ka90003Request, Ka90004Request };
