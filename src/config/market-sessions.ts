import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, errorMessage } from '../core/errors.js';
import { marketSessionsSchema, type MarketSessionsFile } from '../core/market-sessions.js';
import { packageRoot } from './package-root.js';

/** The shipped, versioned session profiles (config/market-sessions.json), validated strictly. */
export function loadMarketSessions(file = join(packageRoot(), 'config', 'market-sessions.json')): MarketSessionsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError([`market sessions: cannot read ${file}: ${errorMessage(err)}`]);
  }
  const parsed = marketSessionsSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `market sessions: ${i.path.join('.')}: ${i.message}`));
  return parsed.data;
}
