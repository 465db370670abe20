import type { HealthVerdict } from './http-server.js';

/** What the health rule looks at; structural subsets of ConnectionStatus and TokenStatus. */
export interface HealthInput {
  /** The market session is open now (the calendar; always open on the simulator). */
  readonly sessionOpen: boolean;
  readonly connection: {
    readonly phase: string;
    readonly wantedPairs: number;
    readonly since?: number;
    readonly nextRetryInMs?: number | null;
    readonly lastError?: { readonly code: string; readonly message: string } | null;
    /** What the broker acknowledged of the wanted set (SubscriptionStatus). */
    readonly subscriptions?: {
      readonly wantedPairs: number;
      readonly ackedPairs: number;
      readonly rejectedPairs: number;
      readonly lastRejection: { readonly code: string; readonly message: string } | null;
      readonly leftOut: number;
    };
  };
  /** Token state per broker (`failed` is reported as a reason, with its retry and how long it lasts). */
  readonly tokens?: Readonly<
    Record<string, { readonly state: string; readonly lastError?: { readonly code: string } | undefined; readonly retryInMs?: number; readonly rejectedForMs?: number }>
  >;
  /** The data-silence alarm is raised (reported, not a verdict by itself: the feed may just be quiet). */
  readonly silenceActive?: boolean;
}

/**
 * The daemon's health rule: during the session, healthy when the real-time connection is live with
 * at least one subscribed pair; outside the session, healthy with the reason 'market closed';
 * otherwise unhealthy with the reasons (connection phase and last error, failed tokens).
 */
export function decideHealth(input: HealthInput): HealthVerdict {
  const c = input.connection;
  const details: Record<string, unknown> = { sessionOpen: input.sessionOpen, phase: c.phase, subscribedPairs: c.wantedPairs };
  if (c.since !== undefined) details.phaseSince = c.since;
  if (input.silenceActive !== undefined) details.dataSilence = input.silenceActive;
  const tokenReasons = Object.entries(input.tokens ?? {})
    .filter(([, t]) => t.state === 'failed')
    .map(([broker, t]) => `${broker} token failed${t.lastError ? `: ${t.lastError.code}` : ''}${rejectedFor(t)}`);
  const subs = c.subscriptions;
  if (subs) {
    details.ackedPairs = subs.ackedPairs;
    details.rejectedPairs = subs.rejectedPairs;
    if (subs.leftOut > 0) details.leftOutSymbols = subs.leftOut;
  }
  if (!input.sessionOpen) return { healthy: true, reasons: ['market closed', ...tokenReasons], details };

  const reasons: string[] = [];
  if (c.phase !== 'live') {
    let reason = `connection ${c.phase}`;
    if (c.lastError) reason += `: ${c.lastError.code} ${c.lastError.message}`;
    if (c.phase === 'backoff' && typeof c.nextRetryInMs === 'number') reason += ` (retry in ${Math.ceil(c.nextRetryInMs / 1000)} s)`;
    reasons.push(reason);
  } else if (c.wantedPairs === 0) {
    reasons.push('no real-time subscriptions (the universe is empty)');
  } else if (subs && (subs.rejectedPairs > 0 || subs.ackedPairs === 0)) {
    // Wanted but not acknowledged: a socket that looks connected may carry nothing (a rejected REG is silent).
    const why = subs.lastRejection ? ` (REG rejected: ${subs.lastRejection.code} ${subs.lastRejection.message})` : '';
    reasons.push(`${subs.wantedPairs - subs.ackedPairs} of ${subs.wantedPairs} subscriptions not acknowledged${why}`);
  }
  reasons.push(...tokenReasons);
  const notes: string[] = [];
  if (subs && subs.rejectedPairs === 0 && subs.ackedPairs > 0 && subs.ackedPairs < subs.wantedPairs) notes.push(`${subs.wantedPairs - subs.ackedPairs} subscriptions awaiting acknowledgement`);
  if (input.silenceActive === true) notes.push('data silence (no real-time frames)');
  if (reasons.length === 0) return { healthy: true, reasons: notes, details };
  return { healthy: false, reasons, details };
}

function rejectedFor(t: { readonly retryInMs?: number; readonly rejectedForMs?: number }): string {
  if (t.rejectedForMs === undefined) return '';
  const retry = t.retryInMs === undefined ? '' : `, retrying every ${Math.ceil(t.retryInMs / 1000)} s`;
  return ` (rejected for ${Math.round(t.rejectedForMs / 60_000)} min${retry})`;
}
