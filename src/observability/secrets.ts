/**
 * Secret values learned at run time (issued access tokens), for every scrub: log lines, /healthz
 * and the recording guard. Config secrets are passed explicitly; tokens appear after start, so the
 * token source reports each one here as it is issued. Process-wide on purpose: one daemon per process,
 * and scrubbing a stale value costs nothing. Bounded: only the most recent values are kept.
 */
const MAX_SECRETS = 64;
/** Shorter values would scrub ordinary text (the same floor as scrubSecrets). */
const MIN_LENGTH = 4;
const secrets = new Set<string>();
let snapshot: readonly string[] = [];

/** Remembers a secret value (an issued token) so every scrub removes it from then on. */
export function rememberSecret(value: string | null | undefined): void {
  if (typeof value !== 'string' || value.length < MIN_LENGTH || secrets.has(value)) return;
  secrets.add(value);
  if (secrets.size > MAX_SECRETS) secrets.delete(secrets.values().next().value as string);
  snapshot = [...secrets];
}

/** The values learned so far, oldest first. */
export function knownSecrets(): readonly string[] {
  return snapshot;
}
