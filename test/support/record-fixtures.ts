// Records the simulator sessions in test/fixtures/sessions/ and their golden signal outputs.
// Run with `npm run fixtures` after a change that alters the recording format or the strategies'
// output on purpose; the replay tests then compare against the new goldens.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { signalsJsonl as jsonl } from './signals-jsonl.js';
import { startDaemon, type Daemon } from '../../src/app/daemon.js';
import { runReplay } from '../../src/app/replay/run-replay.js';
import { loadConfig } from '../../src/config/load.js';
import { packageRoot } from '../../src/config/package-root.js';
import type { Config } from '../../src/config/schema.js';
import { createVirtualClock, type VirtualClock } from '../../src/core/virtual-clock.js';
import { createLogger } from '../../src/observability/logger.js';

// From the package root, so it is the same folder whether this runs from src (vitest) or dist.
export const FIXTURE_DIR = join(packageRoot(), 'test', 'fixtures', 'sessions');

export interface FixtureSpec {
  readonly name: string;
  readonly seed: number;
  readonly tradesPerSecond: number;
  readonly seconds: number;
  /** Faults to inject at given seconds into the session. */
  readonly faults?: ReadonlyArray<{ at: number; apply: (d: Daemon) => void }>;
}

export const FIXTURES: readonly FixtureSpec[] = [
  { name: 'sim-calm-3min', seed: 11, tradesPerSecond: 40, seconds: 180 },
  {
    name: 'sim-faults-2min',
    seed: 12,
    tradesPerSecond: 30,
    seconds: 120,
    faults: [
      { at: 20, apply: (d) => d.simulator!.faults.dropConnections('terminate') },
      { at: 45, apply: (d) => d.simulator!.faults.sendMalformed('truncated-json', 3) },
      { at: 46, apply: (d) => d.simulator!.faults.sendMalformed('invalid-utf8', 2) },
      { at: 70, apply: (d) => d.simulator!.faults.expireTokens('kiwoom') },
      { at: 71, apply: (d) => d.simulator!.faults.dropConnections('close') },
    ],
  },
];

const START = Date.UTC(2026, 10, 20, 0, 0, 0); // Friday 09:00 KST
const quiet = (clock: VirtualClock) => createLogger({ level: 'silent', clock, destination: new Writable({ write: (_c, _e, cb) => cb() }) });


/** Records one fixture; checks that its replay reproduces the live signals before writing anything. */
export async function recordFixture(spec: FixtureSpec, outDir = FIXTURE_DIR): Promise<{ signals: number; bytes: number }> {
  const dir = mkdtempSync(join(tmpdir(), `krx-fixture-${spec.name}-`));
  try {
    const base = loadConfig({ env: { KRX_DATA_DIR: dir, KRX_HTTP_PORT: '0' }, cwd: dir });
    const config = { ...base, sim: { ...base.sim, seed: spec.seed, tradesPerSecond: spec.tradesPerSecond } } as Config;
    const clock = createVirtualClock(START);
    const daemon = await startDaemon({ config, log: quiet(clock), clock, version: 'fixture' });
    for (let s = 1; s <= spec.seconds; s++) {
      for (const f of spec.faults ?? []) if (f.at === s) f.apply(daemon);
      await clock.tickAsync(1_000);
      for (let i = 0; i < 40; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const recording = daemon.recording!.file;
    await daemon.stop('fixture recorded');
    const live = jsonl(join(dir, 'signals.db'), daemon.sessionId);
    const summary = await runReplay({ file: recording, config, strategiesFromConfig: false, dbFile: join(dir, 'replay.db'), speed: 'max', log: quiet(clock) });
    const replayed = jsonl(join(dir, 'replay.db'));
    if (replayed !== live) throw new Error(`${spec.name}: the replay does not reproduce the live signals; not writing a fixture`);
    const gz = gzipSync(readFileSync(recording), { level: 9 });
    writeFileSync(join(outDir, `${spec.name}.rec.db.gz`), gz);
    writeFileSync(join(outDir, `${spec.name}.signals.jsonl`), live);
    return { signals: summary.signals, bytes: gz.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const spec of FIXTURES) {
    const r = await recordFixture(spec);
    process.stdout.write(`${spec.name}: ${r.signals} signals, ${(r.bytes / 1024).toFixed(0)} KiB gzipped\n`);
  }
}
