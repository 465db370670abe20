import type { JsonReply } from './http-util.js';

/**
 * How the simulator refuses an expired, revoked or superseded Kiwoom token (protocol.md §10.5):
 * - `default`: REST HTTP 200 + `return_code 3` + `[8005:...]` in the message (the form seen live);
 *   LOGIN `return_code 1` + `CODE=8005(...)` (the form the official WS client reads);
 * - `http401`: REST HTTP 401 without a business code; LOGIN as `default` (no HTTP status after the upgrade);
 * - `rc3`: the bracketed code with `return_code 3` on REST and on LOGIN;
 * - `rc8005` / `rc8031` / `rc8103`: the numeric `return_code` on REST and on LOGIN.
 */
export type TokenRejectForm = 'default' | 'http401' | 'rc3' | 'rc8005' | 'rc8031' | 'rc8103';

export const TOKEN_REJECT_FORMS: readonly TokenRejectForm[] = ['default', 'http401', 'rc3', 'rc8005', 'rc8031', 'rc8103'];

const TEXT: Readonly<Record<number, string>> = {
  8005: 'Token이 유효하지 않습니다',
  8031: 'Token 실전/모의 구분이 일치하지 않습니다',
  8103: '토큰 인증 또는 단말기인증에 실패했습니다',
};

function numericCode(form: TokenRejectForm): number | undefined {
  if (form === 'rc8005') return 8005;
  if (form === 'rc8031') return 8031;
  if (form === 'rc8103') return 8103;
  return undefined;
}

/** The REST answer refusing a token, with the TR's headers. */
export function restTokenReject(form: TokenRejectForm, headers: Record<string, string>): JsonReply {
  const code = numericCode(form);
  if (code !== undefined) return { status: 200, body: { return_code: code, return_msg: TEXT[code] }, headers };
  if (form === 'http401') return { status: 401, body: { error: 'Unauthorized' }, headers };
  return { status: 200, body: { return_code: 3, return_msg: '인증에 실패했습니다[8005:Token이 유효하지 않습니다]' }, headers };
}

/** The LOGIN reply refusing a token. */
export function loginTokenReject(form: TokenRejectForm): string {
  const code = numericCode(form);
  if (code !== undefined) return JSON.stringify({ trnm: 'LOGIN', return_code: code, return_msg: TEXT[code] });
  if (form === 'rc3') return JSON.stringify({ trnm: 'LOGIN', return_code: 3, return_msg: '인증에 실패했습니다[8005:Token이 유효하지 않습니다]' });
  return JSON.stringify({ trnm: 'LOGIN', return_code: 1, return_msg: '인증에 실패하였습니다. CODE=8005(Token이 유효하지 않습니다)' });
}
