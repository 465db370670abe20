import type { HealthVerdict } from './http-server.js';
import type { MetricsRegistry } from './metrics.js';

/**
 * "Degraded": the daemon runs and streams, but a part that matters for an unattended month is
 * failing (the store cannot write, the recorder sheds, polls fail or run late, a strategy was
 * quarantined). /healthz stays 200 with status "degraded" and the reasons (a restart would not fix
 * a full disk); each part has a metric.
 */
export interface DegradedSources {
  readonly now: () => number;
  readonly store?: () => { readonly committed: number; readonly writeErrors: number; readonly queued?: number };
  readonly recording?: () => { readonly committed: number; readonly writeErrors: number; readonly shedding: boolean; readonly capped: boolean; readonly dropped: number; readonly storedBytes: number; readonly pending?: number };
  /**
   * Last time each poll delivered (epoch ms; null = not yet), with its period, and the ticks it
   * skipped because its previous run was still going (the REST budget could not carry it).
   */
  readonly polls?: () => ReadonlyArray<{ readonly name: string; readonly lastAt: number | null; readonly periodMs: number; readonly lateTicks?: number }>;
  readonly strategies?: () => ReadonlyArray<{ readonly id: string; readonly state: string }>;
}

export type DegradedPart = 'store' | 'recorder' | 'polls' | 'strategies';
export const DEGRADED_PARTS: readonly DegradedPart[] = ['store', 'recorder', 'polls', 'strategies'];

export interface DegradedMonitor {
  /** Reasons by part, now (empty = nothing degraded). */
  check(): ReadonlyMap<DegradedPart, string[]>;
  /** The verdict with the degraded reasons added (healthy stays healthy: status "degraded"). */
  apply(verdict: HealthVerdict): HealthVerdict;
  /** krx_degraded{part}, krx_poll_age_seconds{poll} and the recorder's families. */
  register(metrics: MetricsRegistry): void;
}

/** A poll is late after two periods plus this (one failed answer is not yet degraded). */
const POLL_GRACE_MS = 10_000;

/**
 * Errors without commits since the last look = failing; a commit since = writing again. Errors and
 * commits both since the last look (the first look of all, a scrape after a long gap): failing while
 * something still waits for a commit, so a disk that filled before the first look is reported.
 */
function failingTracker(): (s: { committed: number; writeErrors: number; waiting: number }) => boolean {
  let last = { committed: 0, writeErrors: 0 };
  let failing = false;
  return (s) => {
    const committed = s.committed > last.committed;
    const errors = s.writeErrors > last.writeErrors;
    if (errors) failing = !committed || s.waiting > 0;
    else if (committed) failing = false;
    last = { committed: s.committed, writeErrors: s.writeErrors };
    return failing;
  };
}

export function createDegradedMonitor(sources: DegradedSources, startedAt: number): DegradedMonitor {
  const storeFailing = failingTracker();
  const recordingFailing = failingTracker();

  const pollAges = (): Array<{ name: string; ageMs: number; periodMs: number; lateTicks: number }> =>
    (sources.polls?.() ?? []).map((p) => ({ name: p.name, ageMs: sources.now() - (p.lastAt ?? startedAt), periodMs: p.periodMs, lateTicks: p.lateTicks ?? 0 }));
  /** poll -> late ticks at the last look and when they last grew */
  const lateSeen = new Map<string, { ticks: number; at: number }>();
  const lateRecently = (p: { name: string; periodMs: number; lateTicks: number }): boolean => {
    const seen = lateSeen.get(p.name) ?? { ticks: 0, at: Number.NEGATIVE_INFINITY };
    if (p.lateTicks > seen.ticks) lateSeen.set(p.name, { ticks: p.lateTicks, at: sources.now() });
    return sources.now() - (lateSeen.get(p.name)?.at ?? seen.at) <= 2 * p.periodMs + POLL_GRACE_MS;
  };

  const check = (): Map<DegradedPart, string[]> => {
    const out = new Map<DegradedPart, string[]>();
    const add = (part: DegradedPart, reason: string): void => void out.set(part, [...(out.get(part) ?? []), reason]);
    const store = sources.store?.();
    if (store && storeFailing({ ...store, waiting: store.queued ?? 0 })) add('store', 'signal store cannot write (E_STORE_WRITE): signals are queued in memory');
    if (sources.recording) {
      const r = sources.recording();
      if (r.shedding) add('recorder', `recorder shedding frames (E_RECORDING_SHED): ${r.dropped} dropped`);
      if (recordingFailing({ ...r, waiting: r.pending ?? 0 })) add('recorder', 'recording cannot write (E_RECORDING_WRITE)');
      if (r.capped) add('recorder', 'recording stopped at recording.maxSessionBytes (E_RECORDING_CAP)');
    }
    for (const p of pollAges()) {
      if (p.ageMs > 2 * p.periodMs + POLL_GRACE_MS) add('polls', `${p.name} poll late or failing: last answer ${Math.round(p.ageMs / 1000)} s ago (period ${Math.round(p.periodMs / 1000)} s)`);
      else if (lateRecently(p)) add('polls', `${p.name} poll runs late (E_POLL_LATE): ${p.lateTicks} ticks skipped, a run outlasts its period of ${Math.round(p.periodMs / 1000)} s (the REST budget cannot carry every poll)`);
    }
    const quarantined = (sources.strategies?.() ?? []).filter((s) => s.state === 'quarantined').map((s) => s.id);
    if (quarantined.length > 0) add('strategies', `strategy quarantined (E_STRATEGY_QUARANTINED): ${quarantined.join(', ')}`);
    return out;
  };

  return {
    check,
    apply(verdict) {
      const found = [...check().values()].flat();
      if (found.length === 0) return verdict;
      return { ...verdict, reasons: [...verdict.reasons, ...found], degraded: found };
    },
    register(metrics) {
      metrics.collect('krx_degraded', '1 while a part is degraded (store, recorder, polls, strategies), 0 otherwise', 'gauge', ['part'], () => {
        const now = check();
        return DEGRADED_PARTS.map((part) => ({ labels: { part }, value: now.has(part) ? 1 : 0 }));
      });
      if (sources.polls) {
        metrics.collect('krx_poll_age_seconds', 'Seconds since each poll last delivered an answer', 'gauge', ['poll'], () => pollAges().map((p) => ({ labels: { poll: p.name }, value: p.ageMs / 1000 })));
        metrics.collect('krx_poll_late_total', 'Poll ticks skipped because the previous run was still going (runs late)', 'counter', ['poll'], () => pollAges().map((p) => ({ labels: { poll: p.name }, value: p.lateTicks })));
      }
      const recording = sources.recording;
      if (recording) {
        metrics.collect('krx_recording_dropped_frames_total', 'Frames the recorder dropped (buffer at its byte bound, session cap, write failures)', 'counter', [], () => recording().dropped);
        metrics.collect('krx_recording_stored_bytes', "Compressed bytes of this session's recording", 'gauge', [], () => recording().storedBytes);
        metrics.collect('krx_recording_shedding', '1 while the recorder drops the oldest frames (its buffer is full)', 'gauge', [], () => (recording().shedding ? 1 : 0));
      }
    },
  };
}
