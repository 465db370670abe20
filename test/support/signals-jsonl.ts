import { Writable } from 'node:stream';
import { formatSignals, openSignalDatabaseReadOnly, querySignals } from '../../src/adapters/store/index.js';
import { createVirtualClock } from '../../src/core/virtual-clock.js';
import { createLogger } from '../../src/observability/logger.js';

/** The `signals --format jsonl` bytes of a signals DB (one session's, or all): what replays are compared by. */
export function signalsJsonl(file: string, sessionId?: string): string {
  const db = openSignalDatabaseReadOnly(file);
  try {
    return formatSignals(querySignals(db, sessionId ? { sessionId } : {}), 'jsonl');
  } finally {
    db.close();
  }
}

/** Lets `n` event-loop turns pass (socket callbacks between virtual-clock steps). */
export async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A logger that keeps nothing (warn level, so a mistake in a test still costs no output). */
export function quietLogger(clock = createVirtualClock(0)): ReturnType<typeof createLogger> {
  return createLogger({ level: 'warn', clock, destination: new Writable({ write: (_c, _e, cb) => cb() }) });
}
