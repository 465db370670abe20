import { fileConfigSchema, type Config } from '../../src/config/schema.js';
import { deepFreeze } from '../../src/core/deep-freeze.js';

/** An effective config from file settings, as the loader makes it (parsed, frozen), without credentials. */
export function testConfig(file: Record<string, unknown> = {}, mode: 'sim' | 'live' = 'sim'): Config {
  const { mode: _mode, ...parsed } = fileConfigSchema.parse(file);
  return deepFreeze({ ...parsed, mode, credentials: { kiwoom: null, kis: null }, source: 'test' });
}
