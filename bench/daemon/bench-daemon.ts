import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { startDaemon, type Daemon } from '../../src/app/daemon.js';
import { loadConfig } from '../../src/config/load.js';
import { packageRoot, packageVersion } from '../../src/config/package-root.js';
import { secretValues } from '../../src/config/redact.js';
import type { Config } from '../../src/config/schema.js';
import { systemClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/observability/logger.js';
import { SIM_KIS_APPKEY, SIM_KIS_APPSECRET, SIM_KIS_HTS_ID, SIM_KIWOOM_APPKEY, SIM_KIWOOM_SECRETKEY } from '../../src/sim/index.js';
import { startSimProcess, type SimProcess } from './sim-process.js';

export interface BenchDaemonOptions {
  /** The simulator's 0B entries per second (config `sim.tradesPerSecond`). */
  readonly tradesPerSecond: number;
  readonly seed: number | string;
  /** The simulator's listing size. Default 2,500. */
  readonly stocks?: number;
  /**
   * embedded (default): mode sim, the simulator inside the daemon's process. process: the simulator
   * in a child process and the daemon in mode live against its loopback URLs with its credentials.
   */
  readonly simulator?: 'embedded' | 'process';
  /** Merged over config/default.json: objects key by key, arrays and values replaced. */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /** Extra environment for the config loader (notification sink secrets). */
  readonly env?: Readonly<Record<string, string>>;
  /** Give up waiting for the connection to be live after this long. */
  readonly liveTimeoutMs?: number;
}

export interface BenchDaemon {
  readonly daemon: Daemon;
  readonly config: Config;
  /** The temp data dir (DB, recording, token cache, daemon.log); removed by close(). */
  readonly dir: string;
  /** The simulator's generation lag at worst and the entries it dropped for a slow reader. */
  simStats(): Promise<{ maxBehindMs: number; dropped: number }>;
  close(): Promise<void>;
}

/**
 * Starts the production composition (`startDaemon`, system clock, the simulator over loopback) on
 * config/default.json plus overrides, in a temp data dir, http on port 0, recording on, info logs
 * to a file as the daemon would write them to stdout. Resolves once the real-time connection is live.
 */
export async function startBenchDaemon(options: BenchDaemonOptions): Promise<BenchDaemon> {
  const stocks = options.stocks ?? 2_500;
  // 0A is rare by default (as live); the benches keep their 0A load at 1 % of the trade rate, as before.
  const indicativePerHour = options.tradesPerSecond * 36;
  const simProcess = options.simulator === 'process' ? await startSimProcess({ seed: options.seed, stocks, tradesPerSecond: options.tradesPerSecond, indicativePerHour }) : null;
  const dir = mkdtempSync(join(tmpdir(), 'krx-bench-daemon-'));
  const logStream = createWriteStream(join(dir, 'daemon.log'));
  let daemon: Daemon | null = null;
  const close = async (): Promise<void> => {
    await daemon?.stop('bench done');
    await new Promise<void>((resolve) => logStream.end(() => resolve()));
    await simProcess?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const config = benchConfig(options, stocks, dir, simProcess);
    const log = createLogger({ level: config.log.level, clock: systemClock, destination: logStream, secrets: secretValues(config) });
    const started = await startDaemon({ config, log, clock: systemClock, version: packageVersion() });
    daemon = started;
    started.simulator?.faults.setIndicativePerHour(indicativePerHour);
    await firstValueFrom(started.connection.status$.pipe(filter((s) => s.phase === 'live'), timeout(options.liveTimeoutMs ?? 30_000)));
    const simStats = async (): Promise<{ maxBehindMs: number; dropped: number }> => {
      if (simProcess) return simProcess.stats();
      const faults = started.simulator?.faults;
      return { maxBehindMs: faults?.feedStats().maxBehindMs ?? 0, dropped: faults?.counters().realEntriesDropped ?? 0 };
    };
    return { daemon: started, config, dir, simStats, close };
  } catch (err) {
    await close();
    throw new Error(`the bench daemon did not start or become live: ${String((err as Error)?.message ?? err)}`);
  }
}

/** config/default.json + overrides + the environment's endpoints, written to `dir` and loaded as the CLI would. */
function benchConfig(options: BenchDaemonOptions, stocks: number, dir: string, simProcess: SimProcess | null): Config {
  const base = JSON.parse(readFileSync(join(packageRoot(), 'config', 'default.json'), 'utf8')) as Record<string, unknown>;
  const environment = simProcess
    ? {
        mode: 'live',
        kiwoom: { restUrl: simProcess.url, wsUrl: simProcess.wsUrl },
        kis: { restUrl: simProcess.url },
        // Live mode would follow the KRX session; the simulator trades around the clock.
        calendar: { kind: 'always-open' },
      }
    : { mode: 'sim', sim: { seed: options.seed, stocks, tradesPerSecond: options.tradesPerSecond } };
  const file = join(dir, 'bench-config.json');
  // The benches measure a wide universe (thousands of symbols on one socket), not the broker's 200-item limit.
  const wide = { connection: { maxItems: 100_000, regIntervalMs: 0 }, ...(simProcess ? {} : { sim: { wsMaxItems: 100_000, regRatePerSecond: 1_000 } }) };
  writeFileSync(file, JSON.stringify(mergeConfig(mergeConfig(mergeConfig(base, wide), options.overrides ?? {}), { ...environment, dataDir: dir, http: { port: 0 } }), null, 2));
  // Only the simulator's own credentials: anything in this process's environment could point elsewhere.
  const env = simProcess
    ? { KIWOOM_APPKEY: SIM_KIWOOM_APPKEY, KIWOOM_SECRETKEY: SIM_KIWOOM_SECRETKEY, KIS_APPKEY: SIM_KIS_APPKEY, KIS_APPSECRET: SIM_KIS_APPSECRET, KIS_HTS_ID: SIM_KIS_HTS_ID }
    : {};
  return loadConfig({ file, env: { ...env, ...(options.env ?? {}) }, cwd: dir });
}

/** `over` on top of `base`: plain objects merged key by key, everything else replaced. */
export function mergeConfig(base: Readonly<Record<string, unknown>>, over: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? mergeConfig(b, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
