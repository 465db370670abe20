/**
 * Kiwoom puts the real error code in different places (protocol.md section 5.2): the HTTP status,
 * the body `return_code` (number or string), or a 4-digit code in brackets inside `return_msg`
 * (`"인증에 실패했습니다[8005:Token이 유효하지 않습니다]"`, WS `CODE=8005`). This reads all of them.
 */
export type KiwoomOutcome =
  | { kind: 'ok' }
  | { kind: 'token'; code: number } // 8005/8031/8103 or HTTP 401: invalidate, refresh once, retry once
  | { kind: 'rate'; code: number } // 1700 or HTTP 429: wait within the rate budget, retry (bounded)
  | { kind: 'batch'; code: number } // 1634: never retried
  | { kind: 'credentials'; code: number } // 8001/8002: bad app key/secret
  | { kind: 'device'; code: number } // 8010/8040/8050: IP/device not registered
  | { kind: 'mode'; code: number } // 8030: real/mock key mismatch
  | { kind: 'server'; status: number } // 5xx without a business code
  | { kind: 'reject'; code: number }; // anything else non-zero

const TOKEN_CODES = new Set([8005, 8031, 8103]);
const CREDENTIAL_CODES = new Set([8001, 8002]);
const DEVICE_CODES = new Set([8010, 8040, 8050]);

/** The 4-digit broker code in `[1700:...]` or `CODE=8005`, if any. */
export function bracketCode(msg: unknown): number | undefined {
  if (typeof msg !== 'string') return undefined;
  const m = /\[(\d{4}):/.exec(msg) ?? /CODE=(\d{4})/.exec(msg);
  return m ? Number(m[1]) : undefined;
}

/** `return_code` as a number (it arrives as 0, 5, "1700"...); NaN if absent or unreadable. */
export function returnCodeOf(body: unknown): number {
  if (body === null || typeof body !== 'object') return NaN;
  const rc = (body as Record<string, unknown>)['return_code'];
  if (typeof rc === 'number') return rc;
  if (typeof rc === 'string' && /^\s*-?\d+\s*$/.test(rc)) return Number(rc);
  return NaN;
}

/** Classifies one response. `body` is the parsed JSON (or undefined when it was not JSON). */
export function classifyKiwoom(status: number, body: unknown): KiwoomOutcome {
  const rc = returnCodeOf(body);
  const msg = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)['return_msg'] : undefined;
  // The bracket code is the most specific: return_code 5 covers both 1700 and 1634.
  const code = bracketCode(msg) ?? (Number.isNaN(rc) ? undefined : rc);
  if (code !== undefined && code !== 0) {
    const out = byCode(code);
    // A 5xx (or 1999 "unexpected error") without a more specific meaning is the server's fault.
    if (out.kind === 'reject' && (status >= 500 || code === 1999)) return { kind: 'server', status };
    return out;
  }
  if (status === 401) return { kind: 'token', code: 401 };
  if (status === 429) return { kind: 'rate', code: 429 };
  if (status >= 500) return { kind: 'server', status };
  if (status >= 400) return { kind: 'reject', code: status };
  return { kind: 'ok' };
}

function byCode(code: number): KiwoomOutcome {
  if (TOKEN_CODES.has(code)) return { kind: 'token', code };
  if (code === 1700) return { kind: 'rate', code };
  if (code === 1634) return { kind: 'batch', code };
  if (CREDENTIAL_CODES.has(code)) return { kind: 'credentials', code };
  if (DEVICE_CODES.has(code)) return { kind: 'device', code };
  if (code === 8030) return { kind: 'mode', code };
  return { kind: 'reject', code };
}
