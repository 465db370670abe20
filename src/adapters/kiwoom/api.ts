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

type Out<T> = T extends TrSpec<unknown, infer R> ? R : never;
type Call<Req, T> = (req: Req, options?: { maxPages?: number }) => Promise<TrResult<Out<T>>>;

/** Typed functions, one per TR. Example: `const { data } = await api.ka90003({ trde_upper_tp: '2', ... })`. */
export interface KiwoomApi {
  ka10001: Call<Ka10001Request, typeof ka10001>;
  ka10058: Call<Ka10058Request, typeof ka10058>;
  ka10059: Call<Ka10059Request, typeof ka10059>;
  ka10061: Call<Ka10061Request, typeof ka10061>;
  ka10066: Call<Ka10066Request, typeof ka10066>;
  ka10099: Call<Ka10099Request, typeof ka10099>;
  ka10100: Call<Ka10100Request, typeof ka10100>;
  ka10101: Call<Ka10101Request, typeof ka10101>;
  ka20002: Call<Ka20002Request, typeof ka20002>;
  ka90003: Call<Ka90003Request, typeof ka90003>;
  ka90004: Call<Ka90004Request, typeof ka90004>;
}

export function createKiwoomApi(rest: KiwoomRest): KiwoomApi {
  return {
    ka10001: (req, o) => rest.call(ka10001, req, o),
    ka10058: (req, o) => rest.call(ka10058, req, o),
    ka10059: (req, o) => rest.call(ka10059, req, o),
    ka10061: (req, o) => rest.call(ka10061, req, o),
    ka10066: (req, o) => rest.call(ka10066, req, o),
    ka10099: (req, o) => rest.call(ka10099, req, o),
    ka10100: (req, o) => rest.call(ka10100, req, o),
    ka10101: (req, o) => rest.call(ka10101, req, o),
    ka20002: (req, o) => rest.call(ka20002, req, o),
    ka90003: (req, o) => rest.call(ka90003, req, o),
    ka90004: (req, o) => rest.call(ka90004, req, o),
  };
}

export type { Ka10001Request, Ka10058Request, Ka10059Request, Ka10061Request, Ka10066Request, Ka10099Request };
export type { Ka10100Request, Ka10101Request, Ka20002Request, Ka90003Request, Ka90004Request };
