import type { Random } from '../core/random.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A token-looking string drawn from the seeded random. */
export function randomToken(r: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[r.int(ALPHABET.length)];
  return out;
}

export interface TokenRecord {
  readonly token: string;
  readonly appkey: string;
  readonly issuedAt: number;
  expiresAt: number;
  revoked: boolean;
}

/** Issued tokens of one broker, checked against the sim clock. */
export class TokenStore {
  private readonly tokens = new Map<string, TokenRecord>();
  /** The newest token per appkey (KIS reuse). */
  private readonly latest = new Map<string, TokenRecord>();

  /**
   * `onePerAppkey`: issuing a token invalidates the appkey's earlier ones (Kiwoom: "one live token per
   * app key", protocol.md §10.7); `onSupersede` counts each one so invalidated.
   */
  constructor(
    private readonly random: Random,
    private readonly length: number,
    private readonly onePerAppkey = false,
    private readonly onSupersede: () => void = () => undefined,
  ) {}

  issue(appkey: string, nowMs: number, lifetimeMs: number): TokenRecord {
    const previous = this.latest.get(appkey);
    if (this.onePerAppkey && previous !== undefined && this.isValid(previous, nowMs)) {
      previous.revoked = true;
      this.onSupersede();
    }
    const rec: TokenRecord = { token: randomToken(this.random, this.length), appkey, issuedAt: nowMs, expiresAt: nowMs + lifetimeMs, revoked: false };
    this.tokens.set(rec.token, rec);
    this.latest.set(appkey, rec);
    return rec;
  }

  /** The record when the token exists; check `isValid` for expiry and revocation. */
  find(token: string): TokenRecord | undefined {
    return this.tokens.get(token);
  }

  latestFor(appkey: string): TokenRecord | undefined {
    return this.latest.get(appkey);
  }

  isValid(rec: TokenRecord | undefined, nowMs: number): rec is TokenRecord {
    return rec !== undefined && !rec.revoked && nowMs < rec.expiresAt;
  }

  revoke(token: string): boolean {
    const rec = this.tokens.get(token);
    if (rec === undefined || rec.revoked) return false;
    rec.revoked = true;
    return true;
  }

  /** Fault: every live token of one appkey is revoked. Returns how many. */
  revokeAppkey(appkey: string): number {
    let n = 0;
    for (const rec of this.tokens.values()) {
      if (rec.appkey === appkey && !rec.revoked) {
        rec.revoked = true;
        n++;
      }
    }
    return n;
  }

  /** Fault: every token issued so far is expired now. */
  expireAll(nowMs: number): number {
    let n = 0;
    for (const rec of this.tokens.values()) {
      if (rec.expiresAt > nowMs) {
        rec.expiresAt = nowMs;
        n++;
      }
    }
    return n;
  }
}
