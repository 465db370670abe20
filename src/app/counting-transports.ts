/** Rate-limit answers seen per broker (Kiwoom 1700 or HTTP 429, KIS EGW00201), for /metrics. */
export interface RateLimitCounts {
  kiwoom: number;
  kis: number;
}

/** A REST client's `onOutcome` hook counting one broker's rate-limit answers (already classified). */
export function countRateLimits(counts: RateLimitCounts, broker: keyof RateLimitCounts): (outcome: { readonly kind: string }) => void {
  return (outcome) => {
    if (outcome.kind === 'rate') counts[broker]++;
  };
}
