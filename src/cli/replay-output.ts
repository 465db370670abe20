import { existsSync } from 'node:fs';
import { openSignalDatabaseReadOnly } from '../adapters/store/index.js';
import { UsageError } from '../core/errors.js';

/**
 * `replay --db <file>` adds to the file, never deletes it; but signals of two sessions in one output
 * mix two runs into one answer. An existing output must hold nothing but this session's signals.
 */
export function assertOutputFor(dbFile: string, sessionId: string): void {
  if (!existsSync(dbFile)) return;
  const db = openSignalDatabaseReadOnly(dbFile);
  try {
    const others = db.prepare('SELECT DISTINCT session_id FROM signals WHERE session_id <> ? LIMIT 3').pluck().all(sessionId) as string[];
    if (others.length > 0) {
      throw new UsageError(`replay: ${dbFile} holds signals of another session (${others.join(', ')}); pass a fresh --db, or omit --db for <dataDir>/replays/<session>.db`);
    }
  } finally {
    db.close();
  }
}
