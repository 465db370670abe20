import { loadConfig } from '../../config/load.js';
import { redactConfig } from '../../config/redact.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';

export const configCommand: Command = {
  name: 'config',
  summary: 'print the effective configuration (secrets redacted)',
  usage: `Usage: krx-signals config [--config <file>]

Prints the configuration the daemon would run with: built-in defaults, then the config file
(config/default.json unless --config is given), then the environment. Secrets are redacted.

Options:
  -c, --config <file>  a config file instead of config/default.json
  -h, --help           show this help`,
  options: { config: { type: 'string', short: 'c' } },
  maxPositionals: 0,
  run: async ({ values, io }) => {
    const config = loadConfig({ file: values.config as string | undefined, env: io.env, cwd: io.cwd });
    io.stdout.write(`${JSON.stringify(redactConfig(config), null, 2)}\n`);
    return EXIT.ok;
  },
};
