import type { Clock } from '../core/clock.js';
import type { FrameRecorder, LifecycleRecord } from '../core/recording.js';

/** Appends lifecycle records to the recording (or nowhere), stamped with the clock's now. */
export function lifecycleRecorder(recording: FrameRecorder | null, clock: Clock): (record: LifecycleRecord) => void {
  if (recording === null) return () => undefined;
  return (record) => recording.append('lifecycle', JSON.stringify(record), clock.now() * 1000);
}

/** A `lifecycle` row read back; null for a row that is not an object with a string `type`. */
export function parseLifecycle(data: string): LifecycleRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || typeof (value as { type?: unknown }).type !== 'string') return null;
  return value as LifecycleRecord;
}

/**
 * The names of the polls a recorded kernel ran. Recordings written before the source table carry
 * `{ ranking: markets, watchlist }`; without any record, the markets of the settings and no watchlist.
 */
export function recordedPollNames(polls: Extract<LifecycleRecord, { type: 'kernel.started' }>['polls'], defaultMarkets: readonly string[]): ReadonlySet<string> {
  if (Array.isArray(polls)) return new Set(polls);
  const legacy = (polls ?? {}) as { ranking?: readonly string[]; watchlist?: boolean };
  const names = (legacy.ranking ?? defaultMarkets).map((m) => `ranking:${m}`);
  if (legacy.watchlist === true) names.push('watchlist');
  return new Set(names);
}
