// Every retry in the project draws its wait from here: the connection, the token machine, REST
// calls, the store and the notification dispatchers. Pure functions; randomness comes in as a draw.

/** An exponential ceiling: base * 2^attempt, capped (attempt 0 -> base). */
export interface ExponentialPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

/** base * 2^attempt, capped; the attempt is clamped so huge counts cannot overflow to Infinity. */
export function exponentialCeiling(policy: ExponentialPolicy, attempt: number): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
}

/** Full jitter (AWS): uniform in [0, ceiling). `draw` is a Random.next() value in [0, 1). */
export function fullJitter(policy: ExponentialPolicy, attempt: number, draw: number): number {
  return Math.floor(draw * exponentialCeiling(policy, attempt));
}

/** Equal jitter: half the ceiling fixed, half random, so retries of many processes spread out. */
export function equalJitter(policy: ExponentialPolicy, attempt: number, draw: number): number {
  const ceiling = exponentialCeiling(policy, attempt);
  return Math.round(ceiling / 2 + draw * (ceiling / 2));
}

/** Plain doubling without jitter: base, 2 base, 4 base ... capped. */
export function doubling(policy: ExponentialPolicy, attempt: number): number {
  return exponentialCeiling(policy, attempt);
}

/** A server's own wait hint wins when it is longer than ours (429 retry_after, EGW00133's minute). */
export function honourHint(delayMs: number, hintMs: number | undefined): number {
  return typeof hintMs === 'number' && Number.isFinite(hintMs) && hintMs > delayMs ? hintMs : delayMs;
}

/**
 * How long until one more attempt fits a budget of `maxPerWindow` attempts in any `windowMs`
 * (0 if it fits now). `attemptTimes` are monotonic instants, oldest first.
 */
export function budgetWait(attemptTimes: readonly number[], now: number, maxPerWindow: number, windowMs = 60_000): number {
  const recent = attemptTimes.filter((t) => t > now - windowMs);
  if (recent.length < maxPerWindow) return 0;
  const mustAgeOut = recent[recent.length - maxPerWindow] as number;
  return mustAgeOut + windowMs - now;
}
