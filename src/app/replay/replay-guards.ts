import { basename, join, relative, isAbsolute } from 'node:path';
import type { Config, FileConfig } from '../../config/schema.js';
import { KrxError, UsageError } from '../../core/errors.js';

/**
 * Checks a replay makes on what it was given: the recording is a file from elsewhere, so its
 * settings get sane ranges on top of the config schema, and no path is built from its contents.
 */

const DAEMON_NAME = /^\d{4}-\d{2}-\d{2}T\d{6}\+0900_([A-Za-z0-9][A-Za-z0-9._-]{0,79})\.rec\.db$/;

/**
 * The default output of `replay <file>`: `<dataDir>/replays/<session>.db`, the session taken from the
 * name of the file the user chose (else the file's name), never from a value inside it (a session id of `../../x` once named a
 * path outside the data dir).
 */
export function defaultReplayOutput(dataDir: string, recordingFile: string): string {
  // The daemon names recordings `<KST start>_<session>.rec.db`: the output is then `<session>.db`.
  const name = basename(recordingFile);
  const stem = DAEMON_NAME.exec(name)?.[1] ?? name.replace(/\.rec\.db$/, '').replace(/\.db$/, '');
  const safe = stem.replace(/[^A-Za-z0-9._+-]/g, '_').replace(/^\.+/, '_').slice(0, 120) || 'replay';
  const dir = join(dataDir, 'replays');
  const file = join(dir, `${safe}.db`);
  const rel = relative(dir, file);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new KrxError('E_INVARIANT', 'replay output escaped the replays folder');
  return file;
}

/** `--strategy <id>` must name a strategy of the run (exit 2 otherwise, not an empty replay). */
export function checkOnly(strategies: Config['strategies'], only: readonly string[] | undefined): void {
  const known = strategies.filter((s) => s.enabled !== false).map((s) => s.id);
  const unknown = (only ?? []).filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    throw new UsageError(`replay: --strategy ${unknown.join(', ')}: not a strategy of this run (it has: ${known.join(', ') || 'none'})`);
  }
}

/**
 * Recorded pipeline settings drive the virtual clock: a poll period of 1e-6 s would fire a billion
 * timers per recorded minute. The live schema allows any positive number; a replay needs sane ranges.
 */
const RANGES: ReadonlyArray<{ path: string; read: (c: RecordedSettings) => number; min: number; max: number }> = [
  { path: 'universe.programTopPollSeconds', read: (c) => c.universe.programTopPollSeconds, min: 1, max: 86_400 },
  { path: 'universe.watchlistPollSeconds', read: (c) => c.universe.watchlistPollSeconds, min: 1, max: 86_400 },
  { path: 'kiwoom.requestsPerSecond', read: (c) => c.kiwoom.requestsPerSecond, min: 0.01, max: 1000 },
  { path: 'kis.requestsPerSecond', read: (c) => c.kis.requestsPerSecond, min: 0.01, max: 1000 },
];

type RecordedSettings = Pick<FileConfig, 'universe' | 'kiwoom' | 'kis'>;

export function checkRecordedSettings(settings: RecordedSettings): void {
  const problems = RANGES.filter((r) => !(r.read(settings) >= r.min && r.read(settings) <= r.max)).map((r) => `${r.path} must be between ${r.min} and ${r.max}`);
  if (problems.length > 0) throw new KrxError('E_RECORDING_READ', `the recording's settings are out of range: ${problems.join('; ')}`);
}

/** Strategy ids the host quarantined during the run. */
export function quarantinedStrategies(stats: ReadonlyArray<{ readonly id: string; readonly state: string }>): string[] {
  return stats.filter((s) => s.state === 'quarantined').map((s) => s.id).sort();
}

/** A real-time wait that ends early when `signal` aborts (Ctrl-C during a paced replay). */
export function abortableWait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
