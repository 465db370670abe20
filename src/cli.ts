import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './config/package-root.js';
import { main } from './cli/main.js';
import { EXIT } from './cli/exit-codes.js';
import { installLastResort } from './cli/last-resort.js';

// The process entry point: the only place that calls process.exit (with cli/last-resort.ts).

const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
const stop = new AbortController();
let signals = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  signals += 1;
  if (signals > 1) {
    process.stderr.write(`krx-signals: second ${signal}, exiting now\n`);
    process.exit(EXIT.forced);
  }
  stop.abort(signal);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// Data files 0600 and directories 0700, whoever creates them (SQLite's -wal/-shm, the token cache).
process.umask(0o077);
// Anything that escapes every handler: log with a code, flush signals and the recording, exit 1.
installLastResort();

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  stopSignal: stop.signal,
}, version);
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
process.exit(code);
