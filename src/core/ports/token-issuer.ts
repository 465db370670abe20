/** A token as issued by a broker. */
export interface IssuedToken {
  readonly token: string;
  /** Epoch ms at which the broker stops accepting it (parsed as KST, whatever the host zone). */
  readonly expiresAt: number;
}

/**
 * The broker side of the token lifecycle (Kiwoom au10001/au10002, KIS tokenP/revokeP).
 * `issue` throws KrxErrors: AuthError E_AUTH_CREDENTIALS for bad keys (fatal, never retried),
 * TransientError E_TOKEN_THROTTLED with `details.retryAfterMs` when issuance is throttled,
 * other TransientErrors for network/5xx.
 */
export interface TokenIssuer {
  issue(): Promise<IssuedToken>;
  revoke(token: string): Promise<void>;
}
