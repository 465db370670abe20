import { loadavg } from 'node:os';
import { runDaemonJobInChild } from './in-child.js';
import type { DaemonLatencyOptions, DaemonLatencyResult } from './latency.js';
import { summarizeLatency, type LatencySummary } from './latency-summary.js';
import { createMsHistogram } from './ms-histogram.js';

export interface NotifyAbOptions {
  /** Pairs of rounds: each pair runs once without notifications (A) and once with the slow sink (B). */
  readonly pairs: number;
  /** Measured seconds per round. */
  readonly seconds: number;
  readonly tradesPerSecond: number;
  /** The webhook's answer time. */
  readonly slowSinkMs: number;
}

export interface NotifyAbRound {
  readonly arm: 'without' | 'with';
  readonly signal: LatencySummary;
  /** 1-minute load average when the round started. */
  readonly load: number;
  readonly framesPerSecond: number;
  readonly loopDelayP99Ms: number;
  readonly sink?: DaemonLatencyResult['sink'];
}

export interface NotifyAbResult {
  /** Every round's samples of one arm, pooled. */
  readonly without: LatencySummary;
  readonly with: LatencySummary;
  /** p99 with minus p99 without, pooled; null when either p99 rests on too few samples. */
  readonly p99DeltaMs: number | null;
  readonly p50DeltaMs: number | null;
  /** In run order. */
  readonly rounds: readonly NotifyAbRound[];
  /** Rounds that lost signals (uncommitted), failed to decode or were dropped by the simulator. */
  readonly faulty: number;
}

/**
 * Issue 15's comparison made fair: the same composition, simulator seed and rate (so the same
 * frames) run in interleaved rounds within one run, A B B A A B ..., each in a fresh child process,
 * so drifting machine load falls on both arms alike; each arm's samples are pooled across its rounds.
 */
export async function benchNotifyAb(o: NotifyAbOptions): Promise<NotifyAbResult> {
  const base: DaemonLatencyOptions = { tradesPerSecond: o.tradesPerSecond, durationMs: o.seconds * 1000, simulator: 'embedded', keepSamples: true };
  const pooled = { without: createMsHistogram(), with: createMsHistogram() };
  const rounds: NotifyAbRound[] = [];
  let faulty = 0;
  for (let pair = 0; pair < o.pairs; pair++) {
    const order: Array<'without' | 'with'> = pair % 2 === 0 ? ['without', 'with'] : ['with', 'without'];
    for (const arm of order) {
      const load = loadavg()[0] ?? 0;
      const options = arm === 'with' ? { ...base, slowSinkMs: o.slowSinkMs } : base;
      const r = await runDaemonJobInChild({ kind: 'latency', options }, 150_000 + o.seconds * 1000);
      for (const ms of r.signalSamples ?? []) pooled[arm].record(ms);
      if (r.uncommitted > 0 || r.decodeErrors > 0 || r.simDropped > 0) faulty++;
      rounds.push({ arm, signal: r.signal, load, framesPerSecond: r.framesPerSecond, loopDelayP99Ms: r.loopDelayP99Ms, ...(r.sink ? { sink: r.sink } : {}) });
    }
  }
  const without = summarizeLatency(pooled.without);
  const withSink = summarizeLatency(pooled.with);
  const delta = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a - b);
  return { without, with: withSink, p99DeltaMs: delta(withSink.p99, without.p99), p50DeltaMs: delta(withSink.p50, without.p50), rounds, faulty };
}

/** "A 6 / 12 ms (n 1,234, load 2.1)" per round, in run order. */
export function formatRounds(rounds: readonly NotifyAbRound[]): string {
  const f = (v: number | null): string => (v === null ? '-' : String(v));
  return rounds.map((r) => `${r.arm === 'with' ? 'B' : 'A'} ${f(r.signal.p50)} / ${f(r.signal.p99)} ms (n ${r.signal.n}, load ${r.load.toFixed(1)})`).join('; ');
}
