/**
 * The recorder's second line of defence against secrets. The first line is the caller: transports
 * must never hand the recorder a LOGIN frame, an authorization header, a token response or app keys.
 * This guard refuses (it never rewrites) any frame that still looks like it carries one.
 */

/** A value the caller already blanked out is allowed through. */
const REDACTED = '[redacted]';
const REAL_PREFIX = '{"trnm":"REAL"';
const REAL_PREFIX_BYTES = Buffer.from(REAL_PREFIX, 'latin1');

// A secret-bearing JSON field with a non-empty value; `\\?"` also catches JSON embedded as a string.
const SECRET_FIELD =
  /\\?"(authorization|appkey|app_key|secretkey|secret_key|appsecret|app_secret|access_token|accesstoken|token|approval_key)\\?"\s*:\s*\\?"(?!\[redacted\])[^"\\]/i;
const BEARER = /bearer\s+[\w.~+/=-]{8,}/i;
const LOGIN = /\\?"trnm\\?"\s*:\s*\\?"LOGIN\\?"/;

/** Why `data` must not be recorded, or null when it may be. `secrets` are exact values to scan for. */
export function recordingRefusal(data: string, secrets: readonly string[] = []): string | null {
  const field = SECRET_FIELD.exec(data);
  if (field) return LOGIN.test(data) ? 'LOGIN frame with a token' : `secret-bearing field "${(field[1] ?? '').toLowerCase()}"`;
  if (BEARER.test(data)) return 'bearer credential';
  for (const s of secrets) if (s.length >= 4 && s !== REDACTED && data.includes(s)) return 'a configured secret value';
  return null;
}

/** `data` unchanged when it is safe to record, null when the recorder must drop it. */
export function redactForRecording(data: string, secrets: readonly string[] = []): string | null {
  return recordingRefusal(data, secrets) === null ? data : null;
}

/**
 * A Kiwoom market push (`{"trnm":"REAL"` first, as the server writes it). These carry subscribed
 * symbols' FID values and never credentials (only our outbound LOGIN carries the token, and outbound
 * frames are not recorded), so the recorder skips the guard's scans for them: they are nearly every
 * frame, and the scans cost as much as the rest of recording (about 0.5 us, plus about 0.2 us per
 * configured secret value, per ~640 B frame).
 */
export function isRealFrame(data: string | Uint8Array): boolean {
  if (typeof data === 'string') return data.startsWith(REAL_PREFIX);
  if (data.length < REAL_PREFIX_BYTES.length) return false;
  for (let i = 0; i < REAL_PREFIX_BYTES.length; i++) if (data[i] !== REAL_PREFIX_BYTES[i]) return false;
  return true;
}
