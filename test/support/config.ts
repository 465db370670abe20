import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/config/package-root.js';
import { fileConfigSchema, type Config } from '../../src/config/schema.js';
import { deepFreeze } from '../../src/core/deep-freeze.js';

/** An effective config from file settings, as the loader makes it (parsed, frozen), without credentials. */
export function testConfig(file: Record<string, unknown> = {}, mode: 'sim' | 'live' = 'sim'): Config {
  const { mode: _mode, ...parsed } = fileConfigSchema.parse(file);
  return deepFreeze({ ...parsed, mode, credentials: { kiwoom: null, kis: null }, source: 'test' });
}

/** The shipped `config/default.json` with `overrides(base)` spread on top, written to `<dir>/config.json`: its path. */
export function writeConfigFile(dir: string, overrides: (base: Record<string, unknown>) => Record<string, unknown>): string {
  const base = JSON.parse(readFileSync(join(packageRoot(), 'config', 'default.json'), 'utf8')) as Record<string, unknown>;
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ ...base, ...overrides(base) }));
  return file;
}

/** A daemon in mode live against the test's simulator URLs: loopback port 0, always open, no KIS, no recording. */
export const LIVE_ON_SIM = {
  mode: 'live',
  http: { host: '127.0.0.1', port: 0 },
  calendar: { kind: 'always-open' },
  kis: { enabled: false },
  recording: { enabled: false },
} as const;
