/**
 * KIS answers: REST bodies carry `rt_cd` ("0" = ok) / `msg_cd` / `msg1`; the token endpoints use
 * `error_code` / `error_description` instead (protocol.md sections 6.2 and 6.7).
 */
export type KisOutcome =
  | { kind: 'ok' }
  | { kind: 'token'; code: string } // EGW00123 expired, EGW00121 invalid: refresh once, retry once
  | { kind: 'rate'; code: string } // EGW00201 (usually HTTP 500): back off
  | { kind: 'throttle'; code: string } // EGW00133 (403): one token issuance a minute
  | { kind: 'credentials'; code: string } // EGW00103 invalid AppKey, EGW00105 invalid AppSecret: never retried
  | { kind: 'mode'; code: string } // EGW02004 real host with a mock key
  | { kind: 'server'; code: string }
  | { kind: 'reject'; code: string };

export function kisMessage(body: unknown): { code: string; message: string } {
  const b = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const code = str(b['msg_cd']) || str(b['error_code']);
  const message = str(b['msg1']) || str(b['error_description']);
  return { code: code.trim(), message: message.trim() };
}

export function classifyKis(status: number, body: unknown): KisOutcome {
  const { code } = kisMessage(body);
  switch (code) {
    case 'EGW00123':
    case 'EGW00121':
      return { kind: 'token', code };
    case 'EGW00201':
      return { kind: 'rate', code };
    case 'EGW00133':
      return { kind: 'throttle', code };
    case 'EGW00103':
    case 'EGW00105': // invalid AppSecret (seen in the simulator; [T])
      return { kind: 'credentials', code };
    case 'EGW02004':
      return { kind: 'mode', code };
  }
  const b = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const rt = b['rt_cd'];
  if (rt !== undefined && String(rt).trim() !== '0') return { kind: status >= 500 ? 'server' : 'reject', code: code || `rt_cd ${String(rt)}` };
  if (status === 401) return { kind: 'token', code: 'HTTP 401' };
  if (status === 429) return { kind: 'rate', code: 'HTTP 429' };
  if (status >= 500) return { kind: 'server', code: code || `HTTP ${status}` };
  if (status >= 400) return { kind: 'reject', code: code || `HTTP ${status}` };
  return { kind: 'ok' };
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}
