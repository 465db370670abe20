import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import { makeTempDir } from '../../support/store/fixtures.js';
import { transpileForChild } from '../../support/store/transpile.js';

const CHILD = join(import.meta.dirname, '../../support/store/signal-writer-child.mjs');

/** Runs the child until it has reported `target` committed ids, then SIGKILLs it. */
function runUntilKilled(args: string[], target: number): Promise<{ reported: string[]; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const reported: string[] = [];
    let buf = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) if (l !== 'ready' && !killed) reported.push(l);
      if (!killed && reported.length >= target) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited ${code}: ${stderr}`));
      else resolve({ reported, signal });
    });
  });
}

describe('signal store durability under SIGKILL', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let storeJs: string;
  let clockJs: string;
  beforeAll(() => {
    tmp = makeTempDir('krx-durability-');
    [storeJs = '', clockJs = ''] = transpileForChild(['src/adapters/store/signal-store.ts', 'src/core/clock.ts'], join(tmp.dir, 'build'));
  });
  afterAll(() => tmp.cleanup());

  it('keeps every reported commit and an intact database across 20 random kills', async () => {
    const file = join(tmp.dir, 'signals.db');
    const random = createRandom('store-durability');
    const all: string[] = [];
    for (let round = 0; round < 20; round++) {
      const target = 1 + random.int(3000);
      const { reported } = await runUntilKilled([storeJs, clockJs, file, `r${round}`], target);
      expect(reported.length).toBeGreaterThanOrEqual(target);
      all.push(...reported);
      const db = new Database(file);
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const has = db.prepare('SELECT 1 FROM signals WHERE id = ?').pluck();
        const missing = all.filter((id) => has.get(id) === undefined);
        expect(missing).toEqual([]);
      } finally {
        db.close();
      }
    }
    expect(all.length).toBeGreaterThan(20);
  });
});
