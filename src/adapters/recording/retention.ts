import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import { listRecordings, type RecordingInfo } from './list-recordings.js';
import { silentWarnLog, type WarnLog } from '../../core/logger.js';

export interface RetentionPolicy {
  /** All recordings together may use this many bytes; the oldest go first. */
  readonly maxBytes: number;
  /** Recordings that started longer ago than this are deleted. */
  readonly keepDays: number;
}

export interface PrunedRecording {
  readonly file: string;
  readonly sizeBytes: number;
  readonly reason: 'older than keepDays' | 'over maxBytes';
}

/**
 * Applies the retention policy to a recordings folder: deletes recordings older than `keepDays`,
 * then the oldest until the folder fits `maxBytes`. Never the one being written (`keep`). One log
 * line per deleted file. File names start with the KST start time, so name order is start order.
 */
export function pruneRecordings(dir: string, policy: RetentionPolicy, nowMs: number, options: { keep?: string | undefined; log?: WarnLog } = {}): PrunedRecording[] {
  const log = options.log ?? silentWarnLog;
  const all = listRecordings(dir);
  const candidates = all.filter((r) => r.file !== options.keep);
  let total = all.reduce((sum, r) => sum + r.sizeBytes, 0);
  const cutoff = nowMs - policy.keepDays * 86_400_000;
  const pruned: PrunedRecording[] = [];
  const remove = (r: RecordingInfo, reason: PrunedRecording['reason']): void => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${r.file}${suffix}`, { force: true });
    total -= r.sizeBytes;
    pruned.push({ file: r.file, sizeBytes: r.sizeBytes, reason });
    log.warn({ event: 'recording.deleted', file: basename(r.file), sizeBytes: r.sizeBytes, reason, totalBytes: total, maxBytes: policy.maxBytes }, `deleted recording ${basename(r.file)} (${reason})`);
  };
  for (const r of candidates) {
    // An unreadable file has no start: judged by the size rule only.
    if (r.start !== null && r.start < cutoff) remove(r, 'older than keepDays');
  }
  for (const r of candidates) {
    if (total <= policy.maxBytes) break;
    if (!pruned.some((p) => p.file === r.file)) remove(r, 'over maxBytes');
  }
  return pruned;
}
