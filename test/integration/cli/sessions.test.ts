import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRecordingWriter } from '../../../src/adapters/recording/index.js';
import { formatBytes } from '../../../src/cli/commands/sessions.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { runCli } from '../../support/cli.js';
import { makeTempDir } from '../../support/store/fixtures.js';

const START = Date.UTC(2026, 10, 23, 0, 0, 0); // 09:00 KST

describe('krx-signals sessions', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('krx-cli-sessions-');
  });
  afterEach(() => tmp.cleanup());

  function record(dir: string, sessionId: string, startMs: number, frames: number, durationMs: number | null): void {
    const clock = createVirtualClock(startMs);
    const w = openRecordingWriter({ dir, sessionId, startMs, appVersion: '0.1.0', clock });
    for (let i = 0; i < frames; i++) w.append('ws.in', `{"trnm":"REAL","data":[{"type":"0B","item":"005930","values":{"10":"+${70000 + i}"}}]}`, startMs * 1000 + i);
    if (durationMs === null) w.flush(); // still open: no end stamped
    else w.close(startMs + durationMs);
  }

  it('lists recordings oldest first as an aligned table', async () => {
    const dir = join(tmp.dir, 'recordings');
    record(dir, 'sessB', START + 86_400_000, 25, 6.5 * 3_600_000);
    record(dir, 'sessA', START, 3, 60_000);
    const { code, stdout, stderr } = await runCli(['sessions', '--dir', dir]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^START \(KST\)\s+END \(KST\)\s+FRAMES\s+SIZE\s+SESSION\s+FILE$/);
    expect(lines[1]).toMatch(/^2026-11-23 09:00:00\s+2026-11-23 09:01:00\s+3\s+\d+(\.\d)? (B|KiB)\s+sessA\s+2026-11-23T090000\+0900_sessA\.rec\.db$/);
    expect(lines[2]).toMatch(/^2026-11-24 09:00:00\s+2026-11-24 15:30:00\s+25\s+.*sessB/);
    // FRAMES is right-aligned: the numbers end in the same column as the header.
    const end = (lines[0]?.indexOf('FRAMES') ?? 0) + 'FRAMES'.length;
    expect(lines[1]?.[end - 1]).toBe('3');
    expect(lines[2]?.slice(end - 2, end)).toBe('25');
  });

  it('shows an open recording and an unreadable file without failing', async () => {
    const dir = join(tmp.dir, 'recordings');
    record(dir, 'live1', START, 4, null);
    writeFileSync(join(dir, '2026-11-22T090000+0900_junk.rec.db'), 'not sqlite at all, just text');
    const { code, stdout } = await runCli(['sessions', '--dir', dir]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^-\s+unreadable\s+-\s+.*junk\.rec\.db \(.+\)$/);
    expect(lines[2]).toMatch(/^2026-11-23 09:00:00\s+open or crashed\s+4\s+/);
  });

  it('prints a friendly line for an empty or missing folder, defaulting to the config', async () => {
    const empty = join(tmp.dir, 'empty');
    mkdirSync(empty);
    const a = await runCli(['sessions', '--dir', empty]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(`No recorded sessions in ${empty} yet: the daemon records each session there while recording.enabled is true.\n`);
    const cfg = join(tmp.dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ dataDir: tmp.dir, recording: { dir: 'recs' } }));
    const b = await runCli(['sessions', '--config', cfg]);
    expect(b.code).toBe(0);
    expect(b.stdout).toContain(join(tmp.dir, 'recs'));
    record(join(tmp.dir, 'recs'), 'cfg1', START, 1, 1000);
    expect((await runCli(['sessions', '--config', cfg])).stdout).toMatch(/cfg1/);
  });

  it('formats sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB');
  });
});
