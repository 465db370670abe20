import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKisTokenIssuer } from '../../src/adapters/kis/auth.js';
import type { HttpAnswer as KisAnswer, KisTransport } from '../../src/adapters/kis/transport.js';
import { createKisWatchlist } from '../../src/adapters/kis/watchlist.js';
import { createKiwoomTokenIssuer } from '../../src/adapters/kiwoom/auth.js';
import { createKiwoomRest } from '../../src/adapters/kiwoom/rest-client.js';
import type { HttpAnswer, HttpTransport } from '../../src/adapters/kiwoom/transport.js';
import { ka90003 } from '../../src/adapters/kiwoom/tr/ka90003.js';
import { ERROR_CODES, isKrxError } from '../../src/core/errors.js';
import type { TokenSource } from '../../src/core/ports/token-source.js';
import { createVirtualClock, type VirtualClock } from '../../src/core/virtual-clock.js';

/**
 * The REST clients on arbitrary answers, through their injected transport port: whatever the status
 * and body, a call resolves or rejects with a catalogued KrxError (never a TypeError, never a hang).
 */
const START = Date.UTC(2026, 10, 20, 1, 0, 0);

const odd = fc.oneof(
  fc.integer().map((n) => `${n < 0 ? '-' : '+'}${Math.abs(n)}`),
  fc.constantFrom('', ' ', '+', '-', '--5', '+-5', '1e400', 'NaN', '9'.repeat(400), `-${'9'.repeat(30)}`, '0.000000000000000001', '１２３', ' 67300 '),
  fc.double(),
  fc.integer(),
  fc.jsonValue({ maxDepth: 1 }),
);
const returnCode = fc.oneof(fc.constantFrom(0, '0', 5, '5', 1700, '1700', 1634, 8005, '8005', 8001, 8030, 8103, 1999, -1, ' 0 ', 'x'), fc.jsonValue({ maxDepth: 1 }));
const returnMsg = fc.oneof(fc.constantFrom('정상적으로 처리되었습니다', '[1700:허용된 요청 개수를 초과하였습니다]', '인증에 실패했습니다[8005:Token이 유효하지 않습니다]', 'CODE=8005', '[1634:x]'), fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 1 }));
const rankRow = fc.record(
  { rank: odd, stk_cd: fc.oneof(fc.constantFrom('005930', 'A005930', '005930_NX', ''), odd), stk_nm: odd, cur_prc: odd, flu_sig: odd, pred_pre: odd, flu_rt: odd, acc_trde_qty: odd, prm_sell_amt: odd, prm_buy_amt: odd, prm_netprps_amt: odd },
  { requiredKeys: [] },
);
const kiwoomBody = fc.oneof(
  { weight: 4, arbitrary: fc.record({ return_code: returnCode, return_msg: returnMsg, prm_netprps_upper_50: fc.oneof({ weight: 4, arbitrary: fc.array(rankRow, { maxLength: 4 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.record({ return_code: returnCode, return_msg: returnMsg, token: odd, expires_dt: fc.oneof(fc.constantFrom('20261121083000', '99991231235959', '00000000000000', '2026112108300', '20261340250000'), odd) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const status = fc.oneof({ weight: 5, arbitrary: fc.constant(200) }, { weight: 3, arbitrary: fc.constantFrom(401, 403, 404, 429, 500, 502, 503) }, { weight: 1, arbitrary: fc.integer({ min: 100, max: 599 }) });
const kiwoomAnswer = fc.record({
  status,
  body: fc.oneof({ weight: 5, arbitrary: kiwoomBody.map((b) => JSON.stringify(b) ?? '') }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) }),
  contYn: fc.constantFrom('Y', 'N', '', undefined),
  nextKey: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 8 })),
});

const kisRow = fc.record(
  { inter_grp_code: odd, inter_grp_name: odd, jong_code: odd, hts_kor_isnm: odd, fid_mrkt_cls_code: odd, exch_code: odd, data_rank: odd },
  { requiredKeys: [] },
);
const kisBody = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        rt_cd: fc.oneof(fc.constantFrom('0', '1', 0, 1, ' 0', ''), fc.jsonValue({ maxDepth: 1 })),
        msg_cd: fc.oneof(fc.constantFrom('MCA00000', 'EGW00123', 'EGW00121', 'EGW00201', 'EGW00133', 'EGW00103', 'EGW02004', 'EGW00500'), fc.jsonValue({ maxDepth: 1 })),
        msg1: fc.oneof(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 })),
        output1: fc.jsonValue({ maxDepth: 2 }),
        output2: fc.oneof({ weight: 4, arbitrary: fc.array(kisRow, { maxLength: 4 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
        access_token: odd,
        access_token_token_expired: fc.oneof(fc.constantFrom('2026-11-21 08:30:00', '9999-12-31 23:59:59', '2026-13-40 25:61:61', '2026-11-21'), odd),
        expires_in: odd,
        error_code: fc.oneof(fc.constantFrom('EGW00133', 'EGW00103'), odd),
        error_description: odd,
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const kisAnswer = fc.record({ status, body: fc.oneof({ weight: 5, arbitrary: kisBody.map((b) => JSON.stringify(b) ?? '') }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) }) });

const parse = (text: string): unknown => {
  try {
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
};

const tokens: TokenSource = { getToken: async () => 'TOKEN', invalidate: () => undefined };

/** Settles a promise that waits on the virtual clock (rate-limit pauses, limiter slots). */
async function settle(clock: VirtualClock, p: Promise<unknown>): Promise<{ ok: true } | { ok: false; error: unknown }> {
  let done: { ok: true } | { ok: false; error: unknown } | undefined;
  p.then(
    () => (done = { ok: true }),
    (error: unknown) => (done = { ok: false, error }),
  );
  for (let i = 0; i < 400 && done === undefined; i++) await clock.tickAsync(250);
  if (done === undefined) throw new Error('the call never settled');
  return done;
}

const expectCatalogued = (outcome: { ok: true } | { ok: false; error: unknown }): void => {
  if (outcome.ok) return;
  const err = outcome.error;
  expect(isKrxError(err), `not a KrxError: ${String(err)}`).toBe(true);
  if (isKrxError(err)) expect(Object.keys(ERROR_CODES)).toContain(err.code);
};

describe('the REST clients on arbitrary answers (property)', () => {
  it('the Kiwoom REST client and token issuer throw only catalogued KrxErrors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(kiwoomAnswer, { minLength: 1, maxLength: 5 }), async (script) => {
        const clock = createVirtualClock(START);
        let i = 0;
        const transport: HttpTransport = {
          post: async () => {
            const a = script[Math.min(i++, script.length - 1)] as (typeof script)[number];
            const headers: Record<string, string> = {};
            if (a.contYn !== undefined) headers['cont-yn'] = a.contYn;
            if (a.nextKey !== undefined) headers['next-key'] = a.nextKey;
            return { status: a.status, headers, text: a.body, json: parse(a.body), receivedAt: clock.now() } satisfies HttpAnswer;
          },
          close: async () => undefined,
        };
        const rest = createKiwoomRest({ baseUrl: 'http://sim', tokens, clock, transport, maxPages: 4 });
        expectCatalogued(await settle(clock, rest.call(ka90003, { trde_upper_tp: '2', amt_qty_tp: '1', mrkt_tp: 'P00101', stex_tp: '1' })));
        i = 0;
        const issuer = createKiwoomTokenIssuer({ baseUrl: 'http://sim', appkey: 'K', secretkey: 'S', clock, transport });
        const issued = issuer.issue();
        expectCatalogued(await settle(clock, issued));
        const token = await issued.catch(() => null);
        if (token) expect(Number.isFinite(token.expiresAt)).toBe(true);
      }),
      { numRuns: 300, seed: 9 },
    );
  });

  it('the KIS watchlist client and token issuer throw only catalogued KrxErrors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(kisAnswer, { minLength: 1, maxLength: 6 }), async (script) => {
        const clock = createVirtualClock(START);
        let i = 0;
        const answer = async (): Promise<KisAnswer> => {
          const a = script[Math.min(i++, script.length - 1)] as (typeof script)[number];
          return { status: a.status, headers: {}, text: a.body, json: parse(a.body), receivedAt: clock.now() };
        };
        const transport: KisTransport = { get: answer, post: answer, close: async () => undefined };
        const watchlist = createKisWatchlist({ baseUrl: 'http://sim', appkey: 'K', appsecret: 'S', htsId: 'u', tokens, clock, transport });
        expectCatalogued(await settle(clock, watchlist.fetchWatchlist()));
        i = 0;
        const issuer = createKisTokenIssuer({ baseUrl: 'http://sim', appkey: 'K', appsecret: 'S', clock, transport });
        const issued = issuer.issue();
        expectCatalogued(await settle(clock, issued));
        const token = await issued.catch(() => null);
        if (token) expect(Number.isFinite(token.expiresAt)).toBe(true);
      }),
      { numRuns: 300, seed: 9 },
    );
  });
});
