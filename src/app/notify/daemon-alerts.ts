import type { AlertCondition } from './alert-monitor.js';

/** What the daemon exposes today, as structural getters (ConnectionStatus, TokenStatus, StrategyStats, SignalStoreStats). */
export interface AlertSources {
  readonly now: () => number;
  readonly sessionOpen: () => boolean;
  readonly connection: () => {
    readonly phase: string;
    readonly since: number;
    readonly reconnects: number;
    readonly lastError: { readonly code: string } | null;
    readonly subscriptions?: { readonly rejectedPairs: number; readonly lastRejection: { readonly code: string } | null };
  };
  readonly tokens: () => Readonly<Record<string, { readonly state: string; readonly lastError?: { readonly code: string } | undefined }>>;
  readonly strategies: () => ReadonlyArray<{ readonly id: string; readonly state: string }>;
  readonly store: () => { readonly writeErrors: number; readonly dropped: number; readonly queued: number };
  readonly dataSilence: () => boolean;
  /** The Kiwoom app keys (kiwoom.keys, key-pool.ts KeyStatus); empty or absent with one key and no leases. */
  readonly keys?: () => ReadonlyArray<{ readonly name: string; readonly state: string; readonly reason: string | null; readonly items: number }>;
}

export interface DaemonAlertSettings {
  /** The connection not live for this long in session is "failed". */
  readonly connectionDownMs: number;
  /** This many reconnects within `stormWindowMs` is a reconnect storm. */
  readonly stormReconnects: number;
  readonly stormWindowMs: number;
}

export const DEFAULT_ALERT_SETTINGS: DaemonAlertSettings = { connectionDownMs: 60_000, stormReconnects: 5, stormWindowMs: 10 * 60_000 };

/** The daemon's alert conditions: one line each. */
export function daemonAlertConditions(s: AlertSources, settings: DaemonAlertSettings = DEFAULT_ALERT_SETTINGS): AlertCondition[] {
  return [
    { name: 'connection-failed', check: () => connectionDown(s, settings) },
    { name: 'reconnect-storm', check: reconnectStorm(s, settings) },
    { name: 'data-silence', check: () => (s.sessionOpen() && s.dataSilence() ? 'no real-time frames while subscribed in session' : undefined) },
    { name: 'token-failing', check: () => failingTokens(s) },
    { name: 'strategy-quarantined', check: () => quarantined(s) },
    { name: 'store-write-errors', check: storeFailing(s) },
    { name: 'subscriptions-rejected', check: () => rejectedSubscriptions(s) },
    { name: 'key-failed', check: () => failedKeys(s) },
  ];
}

function connectionDown(s: AlertSources, settings: DaemonAlertSettings): string | undefined {
  if (!s.sessionOpen()) return undefined;
  const c = s.connection();
  if (c.phase === 'live' || s.now() - c.since < settings.connectionDownMs) return undefined;
  return `real-time connection ${c.phase} for ${Math.round((s.now() - c.since) / 1000)} s${c.lastError ? ` (${c.lastError.code})` : ''}`;
}

function reconnectStorm(s: AlertSources, settings: DaemonAlertSettings): () => string | undefined {
  const samples: { at: number; reconnects: number }[] = [];
  return () => {
    const now = s.now();
    const reconnects = s.connection().reconnects;
    samples.push({ at: now, reconnects });
    while (samples.length > 1 && (samples[0] as { at: number }).at < now - settings.stormWindowMs) samples.shift();
    const recent = reconnects - (samples[0] as { reconnects: number }).reconnects;
    return recent >= settings.stormReconnects ? `${recent} reconnects within ${Math.round(settings.stormWindowMs / 60_000)} min` : undefined;
  };
}

function rejectedSubscriptions(s: AlertSources): string | undefined {
  const subs = s.connection().subscriptions;
  if (!subs || subs.rejectedPairs === 0) return undefined;
  return `the broker rejected ${subs.rejectedPairs} subscriptions${subs.lastRejection ? ` (${subs.lastRejection.code})` : ''}; retrying`;
}

function failingTokens(s: AlertSources): string | undefined {
  const failing = Object.entries(s.tokens()).filter(([, t]) => t.state === 'failed' || (t.state !== 'valid' && t.lastError !== undefined));
  if (failing.length === 0) return undefined;
  return failing.map(([broker, t]) => `${broker} token issuance failing${t.lastError ? ` (${t.lastError.code})` : ''}`).join('; ');
}

function failedKeys(s: AlertSources): string | undefined {
  const down = (s.keys?.() ?? []).filter((k) => k.state === 'failed' || k.state === 'waiting-lease');
  if (down.length === 0) return undefined;
  return down.map((k) => `kiwoom key ${k.name} ${k.state === 'failed' ? 'failed' : 'not in use'}: ${k.reason ?? 'unknown'}${k.state === 'failed' ? ' (its symbols moved to the other keys)' : ''}`).join('; ');
}

function quarantined(s: AlertSources): string | undefined {
  const ids = s.strategies().filter((x) => x.state === 'quarantined').map((x) => x.id);
  return ids.length > 0 ? `quarantined: ${ids.join(', ')}` : undefined;
}

function storeFailing(s: AlertSources): () => string | undefined {
  // Active from a failed commit or a drop until a minute passes without one (retries are spaced out).
  let last = s.store();
  let lastBadAt: number | undefined;
  let failed = 0;
  let dropped = 0;
  return () => {
    const now = s.store();
    if (now.writeErrors > last.writeErrors || now.dropped > last.dropped) {
      lastBadAt = s.now();
      failed += now.writeErrors - last.writeErrors;
      dropped += now.dropped - last.dropped;
    }
    last = now;
    if (lastBadAt === undefined || s.now() - lastBadAt >= 60_000) {
      lastBadAt = undefined;
      failed = 0;
      dropped = 0;
      return undefined;
    }
    return `signal store: ${failed} failed commits, ${dropped} signals dropped, ${now.queued} queued`;
  };
}
