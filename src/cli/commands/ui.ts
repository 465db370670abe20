import { resolve } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { errorMessage, UsageError } from '../../core/errors.js';
import { startUiServer } from '../../research/ui/server.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';

export const uiCommand: Command = {
  name: 'ui',
  summary: 'a local web page: sessions and replays, candles with the signals on them, the live signals',
  usage: `Usage: krx-signals ui [--port N] [--host 127.0.0.1] [--data-dir <dir>] [--config <file>]

Serves a read-only local page over a data directory: the recorded sessions and their replays; a
session's candles rebuilt from its trades (1m by default, selectable) with volume, its signals as
markers (click one for its details and forward returns) and the periods the feed was down; and,
when the daemon runs on that data dir, its latest signals as they are committed (server-sent
events polling the DB read-only). Everything, the chart library included, is served locally.

Options:
      --port <n>         the port (default 8464; 0 picks a free one)
      --host <addr>      the address to listen on (default 127.0.0.1: this machine only)
      --data-dir <dir>   the data directory (default: dataDir from the config)
  -c, --config <file>    a config file instead of config/default.json
  -h, --help             show this help`,
  options: { port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' }, config: { type: 'string', short: 'c' } },
  maxPositionals: 0,
  run: async ({ values, io }) => {
    const port = values.port === undefined ? 8464 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`ui: --port takes 0-65535 (got '${String(values.port)}')`);
    const host = (values.host as string | undefined) ?? '127.0.0.1';
    const dataDir = values['data-dir'] !== undefined ? resolve(io.cwd, values['data-dir'] as string) : loadConfig({ file: values.config as string | undefined, env: io.env, cwd: io.cwd }).dataDir;
    let server;
    try {
      server = await startUiServer({ dataDir, host, port });
    } catch (err) {
      io.stderr.write(`krx-signals ui: cannot listen on ${host}:${port}: ${errorMessage(err)}\n`);
      return EXIT.failure;
    }
    io.stdout.write(`krx-signals ui on ${server.url}/ (data dir ${dataDir}); Ctrl-C stops it\n`);
    if (!['127.0.0.1', '::1', 'localhost'].includes(host)) io.stderr.write(`krx-signals ui: warning: listening on ${host}: anyone who can reach it can read these signals\n`);
    await new Promise<void>((done) => {
      const signal = io.stopSignal;
      if (!signal) return;
      if (signal.aborted) done();
      else signal.addEventListener('abort', () => done(), { once: true });
    });
    await server.close();
    return EXIT.ok;
  },
};
