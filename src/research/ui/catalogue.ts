import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type Database from 'better-sqlite3';
import { listRecordings } from '../../adapters/recording/index.js';
import { openSignalDatabaseReadOnly } from '../../adapters/store/index.js';
import { errorMessage } from '../../core/errors.js';

/**
 * What a data directory holds for the UI: the recordings, and the signals DBs that name their
 * sessions (the live `signals.db`, each replay in `replays/`, each sweep run in `sweeps/`).
 */
export interface SessionEntry {
  readonly sessionId: string;
  /** `live`, or the DB's path under the data dir (`replays/x.db`, `sweeps/x.db`). */
  readonly source: string;
  readonly signals: number;
  /** The recording's file, null when none is in the data dir. */
  readonly recording: string | null;
  readonly start: number | null;
  readonly end: number | null;
}

export interface Catalogue {
  readonly sessions: readonly SessionEntry[];
  /** source -> DB file. */
  readonly dbs: ReadonlyMap<string, string>;
  /** Problems met while listing (an unreadable DB), one line each. */
  readonly problems: readonly string[];
}

export function liveDbOf(dataDir: string): string {
  return join(dataDir, 'signals.db');
}

export function readCatalogue(dataDir: string): Catalogue {
  const recordings = listRecordings(join(dataDir, 'recordings'));
  const bySession = new Map(recordings.filter((r) => r.sessionId !== null && r.error === undefined).map((r) => [r.sessionId!, r]));
  const dbs = new Map<string, string>([['live', liveDbOf(dataDir)]]);
  for (const name of listDbs(join(dataDir, 'replays'))) dbs.set(`replays/${name}`, join(dataDir, 'replays', name));
  // A sweep's folder holds one signals DB per parameter set (c01.db ...) beside its sweep.db summary.
  for (const sweep of listDirs(join(dataDir, 'sweeps'))) {
    for (const name of listDbs(join(dataDir, 'sweeps', sweep)).filter((n) => n !== 'sweep.db')) dbs.set(`sweeps/${sweep}/${name}`, join(dataDir, 'sweeps', sweep, name));
  }
  const sessions: SessionEntry[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [source, file] of dbs) {
    let counts: { session_id: string; n: number }[];
    try {
      counts = withDb(file, (db) => db.prepare('SELECT session_id, count(*) AS n FROM signals GROUP BY session_id ORDER BY session_id').all() as { session_id: string; n: number }[]);
    } catch (err) {
      if (existsSync(file)) problems.push(`${basename(file)}: ${errorMessage(err)}`);
      continue;
    }
    for (const c of counts) {
      const rec = bySession.get(c.session_id);
      if (source === 'live') seen.add(c.session_id);
      sessions.push({ sessionId: c.session_id, source, signals: c.n, recording: rec?.file ?? null, start: rec?.start ?? null, end: rec?.end ?? null });
    }
  }
  // A recorded session without signals in the live DB still has a chart.
  for (const r of bySession.values()) {
    if (!seen.has(r.sessionId!)) sessions.push({ sessionId: r.sessionId!, source: 'live', signals: 0, recording: r.file, start: r.start, end: r.end });
  }
  sessions.sort((a, b) => (b.start ?? 0) - (a.start ?? 0) || (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0) || (a.source < b.source ? -1 : 1));
  return { sessions, dbs, problems };
}

function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.includes('.partial-'))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

function listDbs(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => n.endsWith('.db') && !n.endsWith('.rec.db')).sort();
  } catch {
    return [];
  }
}

export function withDb<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = openSignalDatabaseReadOnly(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
