import { loadConfig } from '../../config/load.js';
import { systemClock } from '../../core/clock.js';
import { UsageError, isKrxError, ConfigError } from '../../core/errors.js';
import {
  SIM_KIS_APPKEY,
  SIM_KIS_APPSECRET,
  SIM_KIS_HTS_ID,
  SIM_KIWOOM_APPKEY,
  SIM_KIWOOM_SECRETKEY,
  startSimulator,
  type SimLog,
  type SimulatorHandle,
} from '../../sim/index.js';
import type { CliIo, Command } from '../command.js';
import { EXIT } from '../exit-codes.js';

export const simCommand: Command = {
  name: 'sim',
  summary: 'run the Kiwoom + KIS simulator alone',
  usage: `Usage: krx-signals sim [--port <n>] [--host <h>] [--seed <s>] [--trades-per-second <n>] [--config <file>]

Runs the protocol-faithful Kiwoom (REST + WebSocket) and KIS simulator in the foreground until
Ctrl-C, and prints how to point a daemon at it. Defaults come from the config's "sim" section.

Options:
  -p, --port <n>               port (default: config sim.port; 0 = an ephemeral port)
      --host <h>               interface to listen on (default: 127.0.0.1)
      --seed <s>               market seed (default: config sim.seed)
      --trades-per-second <n>  aggregate 0B trades per second (default: config sim.tradesPerSecond)
  -c, --config <file>          a config file instead of config/default.json
  -h, --help                   show this help`,
  options: {
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
    seed: { type: 'string' },
    'trades-per-second': { type: 'string' },
    config: { type: 'string', short: 'c' },
  },
  maxPositionals: 0,
  run: async ({ values, io }) => {
    const port = values.port === undefined ? undefined : parsePort(values.port as string);
    const tradesPerSecond = values['trades-per-second'] === undefined ? undefined : parseRate(values['trades-per-second'] as string);
    const seed = values.seed === undefined ? undefined : parseSeed(values.seed as string);
    const host = values.host === undefined ? '127.0.0.1' : parseHost(values.host as string);
    const config = loadConfig({ file: values.config as string | undefined, env: io.env, cwd: io.cwd });

    let sim: SimulatorHandle;
    try {
      sim = await startSimulator({
        clock: systemClock,
        host,
        port: port ?? config.sim.port,
        seed: seed ?? config.sim.seed,
        tradesPerSecond: tradesPerSecond ?? config.sim.tradesPerSecond,
        stocks: config.sim.stocks,
        log: stderrLog(io),
      });
    } catch (err) {
      // A taken port is the machine's state, not bad usage: one line, exit 1.
      if (isKrxError(err) && err.code === 'E_SIM_LISTEN' && err instanceof ConfigError) {
        io.stderr.write(`krx-signals ${err.problems[0] ?? err.message}\n`);
        return EXIT.failure;
      }
      throw err;
    }
    io.stdout.write(`${readyLine(sim)}\n`);
    await stopped(io.stopSignal);
    await sim.close();
    io.stderr.write('krx-signals sim: stopped\n');
    return EXIT.ok;
  },
};

/** One line: where the simulator listens and the environment that points a daemon at it. */
function readyLine(sim: SimulatorHandle): string {
  const env = [
    `KIWOOM_REST_URL=${sim.url}`,
    `KIWOOM_WS_URL=${sim.wsUrl}`,
    `KIS_REST_URL=${sim.url}`,
    // The simulator's built-in credentials: not secrets, they open nothing but this loopback simulator.
    `KIWOOM_APPKEY=${SIM_KIWOOM_APPKEY}`,
    `KIWOOM_SECRETKEY=${SIM_KIWOOM_SECRETKEY}`,
    `KIS_APPKEY=${SIM_KIS_APPKEY}`,
    `KIS_APPSECRET=${SIM_KIS_APPSECRET}`,
    `KIS_HTS_ID=${SIM_KIS_HTS_ID}`,
  ];
  return `krx-signals sim: REST ${sim.url} WS ${sim.wsUrl}; point a daemon at it with: ${env.join(' ')} krx-signals start`;
}

function stopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return; // no stop signal: run until the process is killed
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Simulator warnings and errors go to stderr as plain lines; its info chatter is dropped. */
function stderrLog(io: CliIo): SimLog {
  return (level, fields, msg) => {
    if (level !== 'warn' && level !== 'error') return;
    io.stderr.write(`krx-signals sim: ${level}: ${msg} ${JSON.stringify(fields)}\n`);
  };
}

function parsePort(text: string): number {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new UsageError(`sim: --port expects a port number 0-65535, got ${JSON.stringify(text)}`);
  return n;
}

function parseRate(text: string): number {
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(n > 0)) throw new UsageError(`sim: --trades-per-second expects a positive number, got ${JSON.stringify(text)}`);
  return n;
}

function parseSeed(text: string): number | string {
  if (text === '') throw new UsageError('sim: --seed expects a number or a word');
  return /^-?\d{1,15}$/.test(text) ? Number(text) : text;
}

function parseHost(text: string): string {
  if (!/^[A-Za-z0-9.:-]+$/.test(text)) throw new UsageError(`sim: --host expects a host name or IP address, got ${JSON.stringify(text)}`);
  return text;
}
