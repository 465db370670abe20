import { mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { RECORDING_SCHEMA_V1 } from '../../../src/adapters/recording/recording-file.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Signal } from '../../../src/core/signal.js';
import type { WarnLog as StoreLogger } from '../../../src/core/logger.js';

/** A temp directory removed by the returned cleanup. */
export function makeTempDir(prefix = 'krx-store-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A scheduler the test drives: `run()` executes what the store scheduled for "the next turn". */
export function manualSchedule(): { schedule: (fn: () => void) => void; run: () => number; pending: () => number } {
  let tasks: (() => void)[] = [];
  return {
    schedule: (fn) => {
      tasks.push(fn);
    },
    run: () => {
      const now = tasks;
      tasks = [];
      for (const t of now) t();
      return now.length;
    },
    pending: () => tasks.length,
  };
}

export interface LogLine {
  level: 'warn' | 'error';
  fields: Record<string, unknown>;
  msg: string;
}

export function captureLog(): StoreLogger & { lines: LogLine[]; codes: () => unknown[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    warn: (fields, msg) => lines.push({ level: 'warn', fields, msg }),
    error: (fields, msg) => lines.push({ level: 'error', fields, msg }),
    codes: () => lines.map((l) => l.fields['code']),
  };
}

const BASE = Date.UTC(2026, 10, 21, 0, 0, 0); // 09:00 KST

export function makeSignal(n: number, over: Partial<Signal> = {}): Signal {
  return {
    id: `sig-${String(n).padStart(6, '0')}`,
    sessionId: 's1',
    strategy: n % 2 === 0 ? 'breakout' : 'program-flow',
    strategyVersion: '1.0.0',
    symbol: ['005930', '000660', '035420'][n % 3] ?? '005930',
    venue: 'KRX',
    kind: 'BUY',
    price: 70000 + n,
    tsEvent: BASE + n * 1000,
    tsRecv: BASE + n * 1000 + 5,
    details: { rank: n % 50, reason: 'test' },
    ...over,
  };
}

/** A recording in format 1 (one row per frame), as older versions wrote it: ws.in frames at the given times (us). */
export function writeFormat1Recording(file: string, startMs: number, frames: ReadonlyArray<{ readonly tsUs: number; readonly data: string }>): void {
  const db = new Database(file);
  db.exec(RECORDING_SCHEMA_V1);
  const meta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
  for (const [k, v] of Object.entries({ format_version: '1', session_id: 'old', start: String(startMs), app_version: '0.0.1', config: '{}', seed: '' })) meta.run(k, v);
  const row = db.prepare('INSERT INTO frames (seq, ts_us, kind, data) VALUES (?, ?, ?, ?)');
  db.transaction(() => frames.forEach((f, i) => row.run(i + 1, f.tsUs, 'ws.in', f.data)))();
  db.close();
}
