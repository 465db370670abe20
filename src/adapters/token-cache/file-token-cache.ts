import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CachedToken, TokenCache, TokenCacheKey } from '../../core/ports/token-cache.js';

/** File name inside the data directory. */
export const TOKEN_CACHE_FILE = 'tokens.json';

interface CacheFile {
  version: 1;
  /** fingerprint -> entry. The fingerprint hides the app key; the secret is never involved. */
  entries: Record<string, { broker: string; token: string; expiresAt: number; issuedAt: number }>;
}

/** sha256 of broker + REST origin + app key: tells credentials apart without storing the key. */
export function tokenFingerprint(key: TokenCacheKey): string {
  const origin = normaliseOrigin(key.host);
  return createHash('sha256').update(`${key.broker}\n${origin}\n${key.appkey}`).digest('hex');
}

/**
 * Tokens kept in `<dataDir>/tokens.json` (mode 0600, written to a temp file then renamed, so a crash
 * never leaves half a file), so a restart reuses a valid token: KIS allows one issuance a minute and
 * texts the account holder on each. Reads never throw: a missing or corrupt file is an empty cache.
 */
export function createFileTokenCache(dataDir: string): TokenCache {
  const file = join(dataDir, TOKEN_CACHE_FILE);

  const read = (): CacheFile => {
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<CacheFile>;
      if (parsed.version === 1 && parsed.entries && typeof parsed.entries === 'object') return parsed as CacheFile;
    } catch {
      // missing or corrupt: start empty
    }
    return { version: 1, entries: {} };
  };

  const write = (data: CacheFile): void => {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data), { mode: 0o600 });
    chmodSync(tmp, 0o600); // the umask may have widened an existing tmp file
    renameSync(tmp, file);
  };

  return {
    load(key) {
      const e = read().entries[tokenFingerprint(key)];
      if (!e || e.broker !== key.broker) return undefined;
      if (typeof e.token !== 'string' || !Number.isFinite(e.expiresAt) || !Number.isFinite(e.issuedAt)) return undefined;
      return { token: e.token, expiresAt: e.expiresAt, issuedAt: e.issuedAt };
    },
    save(key, token: CachedToken) {
      const data = read();
      data.entries[tokenFingerprint(key)] = { broker: key.broker, ...token };
      write(data);
    },
    clear(key) {
      const data = read();
      const fp = tokenFingerprint(key);
      if (!(fp in data.entries)) return;
      delete data.entries[fp];
      if (Object.keys(data.entries).length === 0) rmSync(file, { force: true });
      else write(data);
    },
  };
}

function normaliseOrigin(host: string): string {
  try {
    return new URL(host).origin.toLowerCase();
  } catch {
    return host.trim().toLowerCase();
  }
}
