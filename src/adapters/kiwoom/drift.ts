import type { LogSink } from '../../core/ports/log-sink.js';
import { ENVELOPE_KEYS, type TrSpec } from './tr-spec.js';

/**
 * Schema drift: fields the broker sends that the TR schema does not know. They are tolerated
 * (zod strips them), counted per `apiId.field`, and logged once with a sample value.
 */
export interface DriftTracker {
  check<Req, Res>(tr: TrSpec<Req, Res>, body: Record<string, unknown>): void;
  /** Occurrences per `apiId.field` (`apiId.list[].field` for list rows). */
  counts(): ReadonlyMap<string, number>;
}

export function createDriftTracker(log: LogSink): DriftTracker {
  const counts = new Map<string, number>();

  const note = (apiId: string, field: string, sample: unknown): void => {
    const key = `${apiId}.${field}`;
    const n = counts.get(key);
    counts.set(key, (n ?? 0) + 1);
    if (n === undefined) {
      log.warn(
        { code: 'E_SCHEMA_DRIFT', apiId, field, sample: String(JSON.stringify(sample)).slice(0, 64) },
        'kiwoom response has an undocumented field',
      );
    }
  };

  return {
    check(tr, body) {
      for (const key in body) {
        if (!tr.topKeys.has(key) && !ENVELOPE_KEYS.has(key)) note(tr.apiId, key, body[key]);
      }
      if (tr.listKey === undefined || tr.rowKeys === undefined) return;
      const rows = body[tr.listKey];
      if (!Array.isArray(rows)) return;
      for (const row of rows) {
        if (row === null || typeof row !== 'object') continue;
        for (const key in row as Record<string, unknown>) {
          if (!tr.rowKeys.has(key)) note(tr.apiId, `${tr.listKey}[].${key}`, (row as Record<string, unknown>)[key]);
        }
      }
    },
    counts: () => counts,
  };
}
