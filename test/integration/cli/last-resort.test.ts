import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { openRecordingReader } from '../../../src/adapters/recording/index.js';
import { openSignalDatabaseReadOnly, querySignals } from '../../../src/adapters/store/index.js';
import { repoRoot } from '../../support/cli.js';

const CANARY = { KIWOOM_APPKEY: 'CANARY-last-resort-key-1', KIWOOM_SECRETKEY: 'CANARY-last-resort-key-2' };

/** Runs `krx-signals start` (the compiled binary) on the simulator, crashes it with an injected fault. */
async function crashDaemon(kind: 'exception' | 'rejection'): Promise<{ code: number | null; stderr: string; dataDir: string; loggedSignals: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'krx-crash-'));
  const defaults = JSON.parse(readFileSync(join(repoRoot, 'config', 'default.json'), 'utf8')) as Record<string, unknown>;
  const config = { ...defaults, mode: 'sim', dataDir: join(dir, 'data'), universe: { ...(defaults.universe as object), programTopPollSeconds: 2 }, http: { host: '127.0.0.1', port: 0 } };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const child = spawn(process.execPath, ['--import', join(repoRoot, 'test', 'support', 'inject-crash.mjs'), join(repoRoot, 'bin', 'krx-signals.js'), 'start', '--config', join(dir, 'config.json')], {
    cwd: dir,
    env: { PATH: process.env.PATH, KRX_TEST_CRASH: kind, ...CANARY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const loggedSignals: string[] = [];
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as { event?: string; id?: string };
      if (entry.event === 'signal' && entry.id) loggedSignals.push(entry.id);
      if (loggedSignals.length === 3) resolve();
    });
    void exited.then((code) => reject(new Error(`daemon exited early (${code}): ${stderr}`)));
  });
  child.kill('SIGUSR2');
  return { code: await exited, stderr, dataDir: join(dir, 'data'), loggedSignals };
}

describe('last-resort handler (uncaught exception / unhandled rejection kills the daemon silently)', () => {
  for (const kind of ['exception', 'rejection'] as const) {
    it(`an injected ${kind} logs E_UNCAUGHT, flushes the store and the recording and exits 1`, async () => {
      const { code, stderr, dataDir, loggedSignals } = await crashDaemon(kind);
      expect(code).toBe(1);
      const line = stderr.split('\n').find((l) => l.includes('"event":"process.crashed"'));
      expect(line, stderr).toBeDefined();
      const entry = JSON.parse(line as string) as { code: string; kind: string; err: string; flushed: string[] };
      expect(entry.code).toBe('E_UNCAUGHT');
      expect(entry.kind).toBe(kind === 'exception' ? 'uncaughtException' : 'unhandledRejection');
      expect(entry.err).toContain(`injected ${kind}`);
      // Source maps are on: the stack names the TypeScript source, not only dist/*.js.
      if (kind === 'exception') expect((entry as { stack?: string }).stack).toMatch(/at parseSince \(.*src\/adapters\/store\/parse-since\.ts:\d+:\d+\)/);
      expect(entry.flushed).toEqual(['signal store', 'recording']);
      for (const secret of Object.values(CANARY)) expect(stderr).not.toContain(secret);

      // Every signal the log announced is in the database.
      const db = openSignalDatabaseReadOnly(join(dataDir, 'signals.db'));
      const stored = new Set(querySignals(db, {}).map((r) => r.id));
      db.close();
      for (const id of loggedSignals) expect(stored.has(id)).toBe(true);

      // The recording was closed: it has its end stamp and its frames.
      const recordings = readdirSync(join(dataDir, 'recordings')).filter((n) => n.endsWith('.rec.db'));
      expect(recordings).toHaveLength(1);
      const reader = openRecordingReader(join(dataDir, 'recordings', recordings[0] as string));
      expect(reader.meta.end).not.toBeNull();
      expect(reader.frameCount()).toBeGreaterThan(0);
      reader.close();
    }, 60_000);
  }
});
