import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDataLock, DATA_LOCK_FILE, dataLockHolder, DataDirLockedError } from '../../../src/app/data-lock.js';

const freshDir = (): string => join(mkdtempSync(join(tmpdir(), 'krx-lock-')), 'data');

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('data directory lock (one daemon per data directory)', () => {
  it('the first taker writes its pid (0600); a second taker gets E_DATA_DIR_LOCKED naming it; release frees it', () => {
    const dir = freshDir();
    const lock = acquireDataLock(dir);
    expect(readFileSync(join(dir, DATA_LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    expect(statSync(join(dir, DATA_LOCK_FILE)).mode & 0o777).toBe(0o600);
    expect(lock.tookOver).toBe(false);
    expect(dataLockHolder(dir)).toBe(process.pid);
    let caught: unknown;
    try {
      acquireDataLock(dir);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DataDirLockedError);
    expect(caught).toMatchObject({ code: 'E_DATA_DIR_LOCKED', pid: process.pid });
    expect((caught as Error).message).toContain(`pid ${process.pid}`);
    lock.release();
    lock.release();
    expect(existsSync(join(dir, DATA_LOCK_FILE))).toBe(false);
    expect(dataLockHolder(dir)).toBeUndefined();
    acquireDataLock(dir).release();
  });

  it('takes over a stale lock left by a dead pid, and one with unreadable content', () => {
    const dir = freshDir();
    acquireDataLock(dir, deadPid()); // a daemon that was SIGKILLed: its lock stays behind
    expect(dataLockHolder(dir)).toBeUndefined();
    const lock = acquireDataLock(dir);
    expect(lock.tookOver).toBe(true);
    expect(readFileSync(join(dir, DATA_LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    lock.release();
    writeFileSync(join(dir, DATA_LOCK_FILE), 'garbage');
    const again = acquireDataLock(dir);
    expect(again.tookOver).toBe(true);
    again.release();
  });

  it('release leaves a lock that is no longer its own', () => {
    const dir = freshDir();
    const lock = acquireDataLock(dir, deadPid());
    const mine = acquireDataLock(dir); // took over the dead one
    lock.release();
    expect(dataLockHolder(dir)).toBe(process.pid);
    mine.release();
  });
});
