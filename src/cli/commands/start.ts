import { join } from 'node:path';
import { pruneRecordings } from '../../adapters/recording/index.js';
import { acquireDataLock, DataDirLockedError, type DataLock } from '../../app/data-lock.js';
import { startDaemon } from '../../app/daemon.js';
import { errorMessage } from '../../core/errors.js';
import { loadConfig } from '../../config/load.js';
import { packageVersion } from '../../config/package-root.js';
import { redactConfig, secretValues } from '../../config/redact.js';
import { systemClock } from '../../core/clock.js';
import type { Observability } from '../../app/observability.js';
import type { Config } from '../../config/schema.js';
import type { DegradedMonitor } from '../../observability/degraded.js';
import { createProcessMetrics } from '../../observability/process-metrics.js';
import { createObservabilityServer, type ObservabilityServer } from '../../observability/http-server.js';
import { watchDegraded } from '../daemon-degraded.js';
import { createLogger, type Logger } from '../../observability/logger.js';
import { rememberSecret } from '../../observability/secrets.js';
import type { CliIo, Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { onCrashFlush } from '../last-resort.js';
import { runFromBus } from './start-from-bus.js';

/** SIGTERM/SIGINT must finish within this; the supervisor kills us soon after. */
const STOP_BUDGET_MS = 10_000;

export const startCommand: Command = {
  name: 'start',
  summary: 'run the daemon (default config: the embedded simulator)',
  usage: `Usage: krx-signals start [--config <file>] [--from-bus] [--pretty | --no-pretty] [--verbose]

Runs the daemon until SIGTERM or SIGINT; SIGHUP (or krx-signals reload) reloads the strategy
files and the config's strategies section without dropping the connection. With the default config and no credentials in the
environment it starts the embedded simulator and runs against it; with KIWOOM_APPKEY and
KIWOOM_SECRETKEY set it talks to the real hosts. A first signal stops gracefully (within 10 s);
a second one exits at once. One daemon per data directory: a second start on the same dataDir
exits with code 73 (the lock file <dataDir>/daemon.lock names the running daemon's pid).

Options:
  -c, --config <file>  a config file instead of config/default.json
      --from-bus       run the strategy host (store, outbox, health) on the market events of the
                       bus (bus.redis.url) instead of a broker connection: no token, no socket
                       (docs/bus.md)
      --pretty         human-readable logs: one line per event, KST date and time (default when
                       stdout is a terminal); --no-pretty or --pretty=false: JSON lines
      --verbose        with --pretty, each event's fields after its message
  -h, --help           show this help`,
  options: { config: { type: 'string', short: 'c' }, 'from-bus': { type: 'boolean' }, pretty: { type: 'boolean' }, verbose: { type: 'boolean' } },
  maxPositionals: 0,
  run: async ({ values, io }) => {
    const config = loadConfig({ file: values.config as string | undefined, env: io.env, cwd: io.cwd });
    const lock = lockDataDir(config.dataDir, io.stderr);
    if (lock === undefined) return EXIT.dataDirLocked;
    for (const secret of secretValues(config)) rememberSecret(secret);
    const log = createLogger({
      level: config.log.level,
      clock: systemClock,
      pretty: values.pretty === false ? false : values.pretty === true || config.log.pretty || io.stdout.isTTY === true,
      verbose: values.verbose === true,
      destination: io.stdout as NodeJS.WritableStream,
      secrets: secretValues(config),
    });
    log.info({ event: 'config.loaded', mode: config.mode, source: config.source }, `configuration from ${config.source} (${config.mode === 'sim' ? 'embedded simulator' : 'live hosts'})`);
    log.debug({ event: 'config.effective', config: redactConfig(config) }, 'effective configuration (secrets redacted)');
    if (values['from-bus'] === true) return runFromBus(config, log, io, lock);
    // The health port first: a taken port exits 1 before a recording is opened or a token issued.
    const http = await bindHealthServer(config, log).catch((err: unknown) => {
      lock.release();
      throw err;
    });
    // SIGHUP (or `krx-signals reload`, which sends it): reload the strategy files and the strategies
    // section. Taken from the start, so a SIGHUP while starting is not the default action (exit).
    let reloadable: { reload(trigger: string): Promise<unknown> } | null = null;
    const onHup = (): void => {
      if (reloadable) void reloadable.reload('SIGHUP');
      else log.warn({ event: 'strategies.reload-ignored', code: 'E_STRATEGY_RELOAD_REJECTED' }, 'SIGHUP while starting: no reload');
    };
    process.on('SIGHUP', onHup);
    let daemon;
    try {
      daemon = await startDaemon({
        config: http ? { ...config, http: { ...config.http, enabled: false } } : config,
        log,
        clock: systemClock,
        version: packageVersion(),
        // A reload reads the strategies section of the same file and environment again.
        rereadConfig: () => loadConfig({ file: values.config as string | undefined, env: io.env, cwd: io.cwd }),
      });
    } catch (err) {
      process.off('SIGHUP', onHup);
      await http?.server.close();
      lock.release();
      throw err;
    }
    reloadable = daemon;
    const degraded = watchDegraded(daemon, config, systemClock);
    degraded.monitor.register(daemon.observability.metrics);
    http?.serve(daemon.observability, degraded.monitor);
    const retention = startRetention(config, daemon.recording?.file, log);
    const unregister = [
      onCrashFlush('signal store', () => daemon.store.flush()),
      onCrashFlush('recording', () => daemon.recording?.close(systemClock.now())),
    ];
    // Credentials rejected for too long: stop like on SIGTERM, then exit 77 so the supervisor takes over.
    const gaveUp = daemon.gaveUp.then((f) => ({ reason: `credentials rejected (${f.code})`, exit: EXIT.credentials }));
    const { reason, exit } = await Promise.race([untilStopped(io.stopSignal).then((r) => ({ reason: r, exit: EXIT.ok })), gaveUp]);
    const overBudget = new Promise<true>((resolve) => setTimeout(() => resolve(true), STOP_BUDGET_MS).unref());
    const timedOut = await Promise.race([daemon.stop(reason).then(() => http?.server.close()).then(() => false as const), overBudget]);
    for (const off of unregister) off();
    process.off('SIGHUP', onHup);
    clearInterval(retention);
    degraded.stop();
    if (timedOut) log.error({ event: 'daemon.stop-timeout', code: 'E_TIMEOUT', budgetMs: STOP_BUDGET_MS }, 'graceful stop took too long');
    lock.release();
    return timedOut ? EXIT.failure : exit;
  },
};

/** One daemon per data directory, taken before anything is opened or a token issued; undefined = held by another. */
function lockDataDir(dataDir: string, stderr: CliIo['stderr']): DataLock | undefined {
  try {
    return acquireDataLock(dataDir);
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    stderr.write(`krx-signals start: ${err.message} [${err.code}]\n`);
    return undefined;
  }
}

/** The observability server, listening before the daemon starts; its answers wait for the daemon. */
async function bindHealthServer(config: Config, log: Logger): Promise<{ server: ObservabilityServer; serve(o: Observability, d: DegradedMonitor): void } | null> {
  if (!config.http.enabled) return null;
  let observed: Observability | null = null;
  let degraded: DegradedMonitor | null = null;
  const processMetrics = createProcessMetrics();
  const server = createObservabilityServer({
    host: config.http.host,
    port: config.http.port,
    health: () => (observed && degraded ? degraded.apply(observed.health()) : { healthy: false, reasons: ['starting'] }),
    // Our families, then the standard process and Node ones (prom-client's defaults).
    metrics: async () => `${observed?.metrics.render() ?? ''}${await processMetrics.render()}`,
    log: log.child({ component: 'http' }),
  });
  const { url } = await server.start();
  log.info({ event: 'http.started', url }, `health on ${url}/healthz, metrics on ${url}/metrics`);
  return {
    server,
    serve: (o, d) => {
      observed = o;
      degraded = d;
    },
  };
}

/** Recordings past recording.keepDays or over recording.maxBytes are deleted now and every hour. */
function startRetention(config: Config, current: string | undefined, log: Logger): NodeJS.Timeout {
  const dir = join(config.dataDir, config.recording.dir);
  const prune = (): void => {
    try {
      pruneRecordings(dir, config.recording, systemClock.now(), { keep: current, log: log.child({ component: 'recording' }) });
    } catch (err) {
      log.error({ event: 'recording.prune-failed', code: 'E_RECORDING_WRITE', err: errorMessage(err) }, 'pruning old recordings failed');
    }
  };
  prune();
  const timer = setInterval(prune, 3_600_000);
  timer.unref();
  return timer;
}

function untilStopped(signal: AbortSignal | undefined): Promise<string> {
  if (!signal) return new Promise(() => undefined);
  if (signal.aborted) return Promise.resolve(String(signal.reason));
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(String(signal.reason)), { once: true }));
}
