import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './config/package-root.js';
import { main } from './cli/main.js';
import { EXIT } from './cli/exit-codes.js';

// The process entry point: the only place that calls process.exit.

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
process.on('unhandledRejection', (reason) => {
  // Never expected: every promise is handled. Make it loud rather than silent.
  process.stderr.write(`krx-signals: unhandled rejection (E_INVARIANT): ${reason instanceof Error ? reason.stack : String(reason)}\n`);
  process.exitCode = EXIT.failure;
});

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  stopSignal: stop.signal,
}, version);
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
process.exit(code);
