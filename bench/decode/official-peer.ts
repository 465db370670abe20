import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/config/package-root.js';

export interface PeerResult {
  readonly framesPerSecond: number;
  readonly entriesPerFrame: number;
  readonly python: string;
}

/**
 * The official Python client's decode rate (stdlib json + its FID-rename loop, official-peer.py) over
 * the same frames, written to a corpus file one per line. Null when python3 is not installed.
 */
export function benchOfficialPeer(texts: readonly string[], rounds = 3): PeerResult | null {
  const version = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (version.error !== undefined || version.status !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'krx-peer-'));
  try {
    const corpus = join(dir, 'frames.jsonl');
    writeFileSync(corpus, `${texts.join('\n')}\n`);
    const script = join(packageRoot(), 'bench', 'decode', 'official-peer.py');
    const run = spawnSync('python3', [script, corpus, String(rounds)], { encoding: 'utf8', timeout: 300_000 });
    if (run.status !== 0) throw new Error(`official-peer.py failed: ${(run.stderr || String(run.error)).slice(0, 200)}`);
    const out = JSON.parse(run.stdout) as { framesPerSecond: number; entries: number };
    return { framesPerSecond: out.framesPerSecond, entriesPerFrame: out.entries / texts.length, python: (version.stdout || version.stderr).trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
