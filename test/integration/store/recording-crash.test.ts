import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import { listRecordings } from '../../../src/adapters/recording/list-recordings.js';
import { openRecordingReader } from '../../../src/adapters/recording/recording-reader.js';
import { makeTempDir } from '../../support/store/fixtures.js';
import { transpileForChild } from '../../support/store/transpile.js';

const CHILD = join(import.meta.dirname, '../../support/store/recording-writer-child.mjs');

/** Runs the child until it reports at least `target` committed frames, then SIGKILLs it. */
function runUntilKilled(args: string[], target: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = 0;
    let buf = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) if (!killed) last = Math.max(last, Number(l));
      if (!killed && last >= target) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(last) : reject(new Error(`child exited ${code}: ${stderr}`))));
  });
}

describe('recording survives SIGKILL up to its last commit', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let writerJs: string;
  let clockJs: string;
  beforeAll(() => {
    tmp = makeTempDir('krx-rec-crash-');
    [writerJs = '', clockJs = ''] = transpileForChild(['src/adapters/recording/recording-writer.ts', 'src/core/clock.ts'], join(tmp.dir, 'build'));
  });
  afterAll(() => tmp.cleanup());

  it('reads every reported frame, in order, after random kills', async () => {
    const dir = join(tmp.dir, 'recordings');
    const random = createRandom('recording-crash');
    const reports: number[] = [];
    for (let round = 0; round < 6; round++) {
      const target = 1 + random.int(20_000);
      const reported = await runUntilKilled([writerJs, clockJs, dir, `crash${round}`], target);
      reports.push(reported);
      const info = listRecordings(dir).find((r) => r.sessionId === `crash${round}`);
      expect(info?.end).toBeNull(); // never closed
      const raw = new Database(info?.file ?? '', { readonly: true });
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      raw.close();
      const reader = openRecordingReader(info?.file ?? '');
      try {
        let expected = 1;
        for (const f of reader.frames({ chunkSize: 5000 })) {
          expect(f.seq).toBe(expected);
          expect(f.data.startsWith(`{"trnm":"REAL","seq":${expected},`)).toBe(true);
          expected++;
        }
        expect(expected - 1).toBeGreaterThanOrEqual(reported);
      } finally {
        reader.close();
      }
    }
    expect(reports.every((n) => n > 0)).toBe(true);
  });
});
