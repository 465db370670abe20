import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../../core/errors.js';
import { RECORDING_SUFFIX } from './recording-file.js';
import { openRecordingReader } from './recording-reader.js';

export interface RecordingInfo {
  /** Absolute or dir-joined path. */
  readonly file: string;
  readonly sessionId: string | null;
  /** Epoch ms. */
  readonly start: number | null;
  /** Epoch ms; null when still recording or after a crash. */
  readonly end: number | null;
  readonly frames: number;
  /** The file plus its WAL, if any. */
  readonly sizeBytes: number;
  /** Set when the file could not be read as a recording. */
  readonly error?: string;
}

/** The recordings in `dir` (for `krx-signals sessions`), by start time; [] when the dir is missing. */
export function listRecordings(dir: string): RecordingInfo[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(RECORDING_SUFFIX));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  // File names start with the KST start time, so name order is start order.
  return names.sort().map((name): RecordingInfo => {
    const file = join(dir, name);
    const sizeBytes = sizeOf(file) + sizeOf(`${file}-wal`);
    try {
      const reader = openRecordingReader(file);
      try {
        const { sessionId, start, end } = reader.meta;
        return { file, sessionId, start, end, frames: reader.frameCount(), sizeBytes };
      } finally {
        reader.close();
      }
    } catch (err) {
      return { file, sessionId: null, start: null, end: null, frames: 0, sizeBytes, error: errorMessage(err) };
    }
  });
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
