import { loadAvailableStrategies, planWithStrategyFiles, strategiesDirOf } from '../../app/strategy-files.js';
import { kernelSettings } from '../../app/settings.js';
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
The strategies are checked as start checks them (known ids, parameters, duplicates): exit 2 if not.

Options:
  -c, --config <file>  a config file instead of config/default.json
  -h, --help           show this help`,
  options: { config: { type: 'string', short: 'c' } },
  maxPositionals: 0,
  run: async ({ values, io }) => {
    const config = loadConfig({ file: values.config as string | undefined, env: io.env, cwd: io.cwd });
    // The strategies as `start` checks them (ids, params, duplicates): a ConfigError exits 2.
    planWithStrategyFiles(kernelSettings(config), await loadAvailableStrategies(strategiesDirOf(config)));
    io.stdout.write(`${JSON.stringify(redactConfig(config), null, 2)}\n`);
    return EXIT.ok;
  },
};
