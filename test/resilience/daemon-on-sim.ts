import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../../src/app/daemon.js';
import { loadConfig } from '../../src/config/load.js';
import { packageRoot } from '../../src/config/package-root.js';
import type { Config } from '../../src/config/schema.js';
import type { VirtualClock } from '../../src/core/virtual-clock.js';
import { createLogger } from '../../src/observability/logger.js';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../src/sim/index.js';
import { createLogLedger, type LogLedger } from '../../bench/soak/ledger.js';

/**
 * The whole daemon in `mode: 'live'` against a simulator this test starts itself (so the test picks
 * the simulator's options: credentials, batch interval), on a virtual clock, real sockets and SQLite.
 */
export interface DaemonOnSim {
  readonly daemon: Daemon;
  readonly sim: SimulatorHandle;
  readonly config: Config;
  readonly dataDir: string;
  readonly ledger: LogLedger;
}

export interface DaemonOnSimOptions {
  readonly clock: VirtualClock;
  readonly sim: SimulatorOptions;
  /** Merged over config/default.json. */
  readonly fileConfig: Record<string, unknown>;
  /** KIWOOM_APPKEY ... KIS_HTS_ID. */
  readonly credentials: Record<string, string>;
  readonly keepLines?: boolean;
  readonly onLine?: (raw: string) => void;
}

export async function startDaemonOnSim(options: DaemonOnSimOptions): Promise<DaemonOnSim> {
  const { clock } = options;
  const dataDir = mkdtempSync(join(fastTmp(), 'krx-resilience-'));
  const sim = await startSimulator({ clock, ...options.sim });
  const base = JSON.parse(readFileSync(join(packageRoot(), 'config', 'default.json'), 'utf8')) as Record<string, unknown>;
  const file = join(dataDir, 'config.json');
  writeFileSync(file, JSON.stringify({ ...base, mode: 'live', dataDir, http: { host: '127.0.0.1', port: 0 }, ...options.fileConfig }));
  const config = loadConfig({
    file,
    cwd: dataDir,
    env: { ...options.credentials, KIWOOM_REST_URL: sim.url, KIWOOM_WS_URL: sim.wsUrl, KIS_REST_URL: sim.url },
  });
  const ledger = createLogLedger({ keepLines: options.keepLines ?? false, ...(options.onLine ? { onLine: options.onLine } : {}) });
  const log = createLogger({ level: 'info', clock, destination: ledger.destination });
  try {
    const daemon = await startDaemon({ config, log, clock, version: 'test' });
    return { daemon, sim, config, dataDir, ledger };
  } catch (err) {
    await sim.close();
    throw err;
  }
}

/** Lets real loopback I/O happen without moving virtual time. */
export async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Advances virtual time by `ms` in chunks, with I/O turns between chunks (and between timers). */
export async function runFor(clock: VirtualClock, ms: number, chunkMs: number, turnsPerChunk = 5): Promise<void> {
  const end = clock.now() + ms;
  while (clock.now() < end) {
    await clock.tickAsync(Math.min(chunkMs, end - clock.now()));
    await turns(turnsPerChunk);
  }
}

/** A memory-backed temp dir when the host has one: the store's fsyncs dominate a virtual week otherwise. */
function fastTmp(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}
