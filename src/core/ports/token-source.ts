/**
 * What a REST client or socket needs from the token lifecycle: a valid token now (single flight:
 * concurrent callers share one issuance) and a way to say "the broker rejected this token".
 */
export type TokenInvalidReason =
  | 'rejected' // the broker answered a request with a token error (Kiwoom 8005/8031/8103, 401, KIS EGW00123/EGW00121)
  | 'login-failed' // a WebSocket LOGIN was refused
  | 'expired'; // our own clock says the token is past its refresh time

export interface TokenSource {
  /** Resolves with a token that is valid beyond the refresh margin; rejects on fatal auth errors. */
  getToken(): Promise<string>;
  /**
   * Reports that `token` was refused. Ignored when `token` is no longer the current one, so two
   * failing requests with the same old token cause one refresh, not two.
   */
  invalidate(token: string, reason: TokenInvalidReason): void;
}
