import { mkdtempSync, rmSync } from 'node:fs';
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
