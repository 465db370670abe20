import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { deflateRawSync, gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { packageRoot } from '../../src/config/package-root.js';

export interface CompressionBenchResult {
  readonly frames: number;
  readonly meanFrameBytes: number;
  /** Deflate (level 1, as the recording worker) per frame, in 512-frame chunks. */
  readonly nsPerFrame: number;
  /** Raw bytes / compressed bytes. */
  readonly ratio: number;
}

/**
 * The cost the recorder's writing thread pays per frame to compress (format 3), on the recorded
 * market frames of the sim-calm-3min fixture, packed 512 frames per chunk as at high rates.
 */
export function benchRecordingCompression(rounds = 5): CompressionBenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'krx-bench-z-'));
  const file = join(dir, 'f.rec.db');
  writeFileSync(file, gunzipSync(readFileSync(join(packageRoot(), 'test', 'fixtures', 'sessions', 'sim-calm-3min.rec.db.gz'))));
  const db = new Database(file, { readonly: true });
  const rows = db.prepare('SELECT count, data FROM chunks').all() as { count: number; data: Buffer }[];
  db.close();
  const all = Buffer.concat(rows.map((r) => r.data));
  const frames = rows.reduce((n, r) => n + r.count, 0);
  const meanFrameBytes = all.length / frames;
  const chunkBytes = Math.round(meanFrameBytes * 512);
  const chunks: Buffer[] = [];
  for (let at = 0; at + chunkBytes <= all.length; at += chunkBytes) chunks.push(all.subarray(at, at + chunkBytes));
  let out = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) for (const c of chunks) out += deflateRawSync(c, { level: 1 }).length;
  const ms = performance.now() - t0;
  const compressedFrames = chunks.length * 512 * rounds;
  return { frames: compressedFrames, meanFrameBytes, nsPerFrame: (ms * 1e6) / compressedFrames, ratio: (chunks.length * chunkBytes * rounds) / out };
}
