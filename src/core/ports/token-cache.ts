/** A token kept across restarts, with when it was issued (KIS allows one issuance a minute). */
export interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
  readonly issuedAt: number;
}

/** Which credentials a cached token belongs to. The appkey only feeds a fingerprint; it is never stored. */
export interface TokenCacheKey {
  readonly broker: 'kiwoom' | 'kis';
  /** The REST origin the token was issued by, e.g. https://api.kiwoom.com */
  readonly host: string;
  readonly appkey: string;
}

export interface TokenCache {
  /** The cached token for these credentials, or undefined (missing, unreadable, other credentials). */
  load(key: TokenCacheKey): CachedToken | undefined;
  save(key: TokenCacheKey, token: CachedToken): void;
  clear(key: TokenCacheKey): void;
}
