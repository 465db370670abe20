import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KrxError } from '../core/errors.js';

/** The lock file inside the data directory: it holds the pid of the daemon that owns the directory. */
export const DATA_LOCK_FILE = 'daemon.lock';

export class DataDirLockedError extends KrxError {
  constructor(readonly dataDir: string, readonly pid: number) {
    super(
      'E_DATA_DIR_LOCKED',
      `data directory ${dataDir} is in use by another krx-signals daemon (pid ${pid}, lock ${join(dataDir, DATA_LOCK_FILE)}); stop it first or give this one another dataDir`,
      { details: { dataDir, pid } },
    );
  }
}

export interface DataLock {
  readonly file: string;
  /** True when a stale lock (a dead pid, or an unreadable file) was taken over. */
  readonly tookOver: boolean;
  /** Removes the lock if it is still ours. Idempotent. */
  release(): void;
}

/**
 * One daemon per data directory: the first takes `<dataDir>/daemon.lock` (created exclusively, mode
 * 0600, holding its pid); a second one finds a live pid there and gets DataDirLockedError. A lock whose
 * pid is dead (a crash, SIGKILL) is stale and taken over. Two daemons on one directory would share the
 * token cache, the SQLite file and the recordings, and fight over the app key's one live token.
 */
export function acquireDataLock(dataDir: string, pid = process.pid): DataLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, DATA_LOCK_FILE);
  let tookOver = false;
  if (!createExclusive(file, pid)) {
    const holder = readHolder(file);
    if (holder !== undefined && isAlive(holder)) throw new DataDirLockedError(dataDir, holder);
    // Stale: move it aside (of two racing takers only one can), check it was the stale one, then create ours.
    const aside = `${file}.stale.${pid}`;
    try {
      renameSync(file, aside);
    } catch {
      // Someone else moved it first: whoever holds the lock now decides.
    }
    const moved = readHolder(aside);
    if (moved !== undefined && moved !== holder && isAlive(moved)) {
      renameSync(aside, file); // a fresh lock slipped in between: give it back
      throw new DataDirLockedError(dataDir, moved);
    }
    rmSync(aside, { force: true });
    if (!createExclusive(file, pid)) throw new DataDirLockedError(dataDir, readHolder(file) ?? -1);
    tookOver = true;
  }
  let released = false;
  return {
    file,
    tookOver,
    release() {
      if (released) return;
      released = true;
      if (readHolder(file) === pid) rmSync(file, { force: true });
    },
  };
}

/** The pid of the live daemon holding `dataDir`, or undefined (no lock, or a stale one). */
export function dataLockHolder(dataDir: string): number | undefined {
  const holder = readHolder(join(dataDir, DATA_LOCK_FILE));
  return holder !== undefined && isAlive(holder) ? holder : undefined;
}

/** Creates `file` holding the pid, atomically (a complete temp file hard-linked into place); false if it exists. */
function createExclusive(file: string, pid: number): boolean {
  const tmp = `${file}.${pid}.tmp`;
  writeFileSync(tmp, `${pid}\n`, { mode: 0o600 });
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

function readHolder(file: string): number | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return /^\d{1,10}$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Signal 0 tests for existence: EPERM means alive but someone else's. */
function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
