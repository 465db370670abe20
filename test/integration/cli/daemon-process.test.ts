import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { openSignalDatabaseReadOnly, querySignals } from '../../../src/adapters/store/index.js';
import { repoRoot } from '../../support/cli.js';

const CANARY = { KIWOOM_APPKEY: 'CANARY-unused-in-sim-mode-1', KIWOOM_SECRETKEY: 'CANARY-unused-in-sim-mode-2' };

describe('krx-signals start as a child process', () => {
  it('streams signals into SQLite and stops cleanly on SIGTERM with every logged signal stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krx-process-'));
    const defaults = JSON.parse(readFileSync(join(repoRoot, 'config', 'default.json'), 'utf8')) as Record<string, unknown>;
    // The shipped simulator config, with a faster ranking poll so the test needs seconds, not a minute.
    const config = { ...defaults, mode: 'sim', dataDir: join(dir, 'data'), universe: { ...(defaults.universe as object), programTopPollSeconds: 2 }, http: { host: '127.0.0.1', port: 0 } };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'krx-signals.js'), 'start', '--config', join(dir, 'config.json')], {
      cwd: dir,
      env: { PATH: process.env.PATH, ...CANARY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const signalIds: string[] = [];
    const lines: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout });
      rl.on('line', (line) => {
        lines.push(line);
        const entry = JSON.parse(line) as { event?: string; id?: string };
        if (entry.event === 'signal' && entry.id) signalIds.push(entry.id);
        if (signalIds.length >= 5) resolve();
      });
      void exited.then((code) => reject(new Error(`daemon exited early (${code}): ${stderr}`)));
    });
    const sentAt = performance.now();
    child.kill('SIGTERM');
    const code = await exited;
    const stopMs = performance.now() - sentAt;
    expect(code).toBe(0);
    expect(stopMs).toBeLessThan(10_000);
    const db = openSignalDatabaseReadOnly(join(dir, 'data', 'signals.db'));
    const stored = new Set(querySignals(db, {}).map((r) => r.id));
    db.close();
    for (const id of signalIds) expect(stored.has(id)).toBe(true);
    const all = lines.join('\n') + stderr;
    expect(all).toContain('"event":"daemon.stopped"');
    for (const secret of Object.values(CANARY)) expect(all).not.toContain(secret);
  }, 60_000);
});
