import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createVirtualClock } from '../../src/core/virtual-clock.js';
import { recordingRefusal } from '../../src/adapters/recording/recording-guard.js';
import { openRecordingWriter } from '../../src/adapters/recording/recording-writer.js';
import { openRecordingReader } from '../../src/adapters/recording/recording-reader.js';

export interface RecordingBenchResult {
  readonly frames: number;
  readonly frameBytes: number;
  readonly batchRows: number;
  /** Total wall time of append() including the size-triggered commits, per frame. */
  readonly nsPerAppend: number;
  readonly framesPerSecond: number;
  /** The secret guard alone, per frame. */
  readonly guardNsPerFrame: number;
  /** Reading the file back through the chunked iterator. */
  readonly readFramesPerSecond: number;
  readonly fileBytes: number;
}

/** `frames` appends of ~`frameBytes` REAL frames (a tight producer: commits happen on size). */
export async function benchRecordingWriter(frames = 1_000_000, frameBytes = 400, batchRows = 4096): Promise<RecordingBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'krx-bench-rec-'));
  try {
    const samples = Array.from({ length: 64 }, (_, i) => makeFrame(i, frameBytes));
    let g0 = performance.now();
    let refused = 0;
    for (let i = 0; i < 200_000; i++) if (recordingRefusal(samples[i & 63] ?? '') !== null) refused++;
    const guardNsPerFrame = ((performance.now() - g0) * 1e6) / 200_000;
    if (refused > 0) throw new Error('bench frames must pass the guard');

    const w = openRecordingWriter({ dir, sessionId: 'bench', startMs: 1_790_000_000_000, appVersion: 'bench', clock: createVirtualClock(1_790_000_000_000), batchRows });
    const t0 = performance.now();
    for (let i = 0; i < frames; i++) w.append('ws.in', samples[i & 63] ?? '', 1_790_000_000_000_000 + i);
    w.flush();
    const ms = performance.now() - t0;
    w.close();
    const fileBytes = statSync(w.file).size;

    const r = openRecordingReader(w.file);
    g0 = performance.now();
    let n = 0;
    for (const f of r.frames({ chunkSize: 5000 })) n += f.seq > 0 ? 1 : 0;
    const readMs = performance.now() - g0;
    r.close();
    await Promise.resolve();
    return {
      frames,
      frameBytes,
      batchRows,
      nsPerAppend: Math.round((ms * 1e6) / frames),
      framesPerSecond: Math.round(frames / (ms / 1000)),
      guardNsPerFrame: Math.round(guardNsPerFrame),
      readFramesPerSecond: Math.round(n / (readMs / 1000)),
      fileBytes,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function makeFrame(i: number, bytes: number): string {
  const head = `{"trnm":"REAL","data":[{"type":"0B","name":"주식체결","item":"${String(5930 + i).padStart(6, '0')}","values":{"20":"090001","10":"+${70000 + i}","11":"+500","12":"+0.72","27":"+70100","28":"+70000","15":"+${i + 10}","13":"1234567","14":"86420","16":"69500","17":"70500","18":"69400","25":"2"`;
  const pad = Math.max(0, bytes - head.length - 20);
  return `${head},"9999":"${'0'.repeat(pad)}"}}]}`;
}
