/** KIS allows one issuance a minute; one second more for clock skew. */
export const KIS_MIN_ISSUE_INTERVAL_MS = 61_000;

/** KIS REST limits: 20 req/s on the real host, 2 req/s on the mock host (openapivts). */
export function defaultKisRate(baseUrl: string): number {
  return /openapivts/i.test(baseUrl) ? 2 : 20;
}
