import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { redactConfig } from '../../../src/config/redact.js';
import { ConfigError } from '../../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'krx-config-'));
const file = (name: string, body: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body));
  return path;
};
const problemsOf = (fn: () => unknown): readonly string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('config loading', () => {
  it('loads the default (simulator) config with every default filled and frozen', () => {
    const config = loadConfig({ env: {}, cwd: dir });
    expect(config.mode).toBe('sim');
    expect(config.dataDir).toBe(join(dir, 'data'));
    expect(config.connection.backoffBaseMs).toBe(500);
    expect(config.universe.programTopMarkets).toEqual(['P00101', 'P10102']);
    expect(config.credentials).toEqual({ kiwoom: null, kis: null });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.connection)).toBe(true);
  });

  it('rejects unknown keys with their path, and bad values with what was expected', () => {
    const path = file('bad.json', { connection: { backofBaseMs: 5, watchdogMs: -1 }, calendar: { open: '9am' }, extra: true });
    const problems = problemsOf(() => loadConfig({ file: path, env: {} }));
    expect(problems).toContain('connection.backofBaseMs: unknown key');
    expect(problems).toContain('extra: unknown key');
    expect(problems.find((p) => p.startsWith('connection.watchdogMs:'))).toMatch(/>=0|too small/i);
    expect(problems).toContain('calendar.open: expected a KST time HH:MM');
  });

  it('reports an unreadable or non-JSON file', () => {
    expect(problemsOf(() => loadConfig({ file: join(dir, 'missing.json'), env: {} }))[0]).toMatch(/cannot read.*ENOENT/);
    expect(problemsOf(() => loadConfig({ file: file('broken.json', '{"mode": '), env: {} }))[0]).toMatch(/not valid JSON/);
  });

  it('refuses secrets in a config file without echoing them', () => {
    const path = file('secret.json', { kiwoom: { appkey: 'PLANTED-APPKEY-0001' }, credentials: { x: 'PLANTED-SECRET-0002' } });
    const problems = problemsOf(() => loadConfig({ file: path, env: {} }));
    expect(problems.join('\n')).toMatch(/kiwoom\.appkey: secrets belong in the environment/);
    expect(problems.join('\n')).not.toMatch(/PLANTED/);
  });

  it('applies environment overrides after the file and names the variable on a bad value', () => {
    const config = loadConfig({ env: { KIWOOM_REST_URL: 'http://127.0.0.1:9000', KRX_HTTP_PORT: '9999', KRX_DATA_DIR: '/tmp/krx' } });
    expect(config.kiwoom.restUrl).toBe('http://127.0.0.1:9000');
    expect(config.http.port).toBe(9999);
    expect(config.dataDir).toBe('/tmp/krx');
    const problems = problemsOf(() => loadConfig({ env: { KIWOOM_WS_URL: 'not a url' } }));
    expect(problems).toEqual(['kiwoom.wsUrl (from KIWOOM_WS_URL): Invalid URL']);
  });

  it('takes credentials from the environment only, switching auto mode to live', () => {
    const env = { KIWOOM_APPKEY: 'PLANTED-KW-APPKEY', KIWOOM_SECRETKEY: 'PLANTED-KW-SECRET' };
    const config = loadConfig({ env });
    expect(config.mode).toBe('live');
    expect(config.credentials.kiwoom).toEqual({ appkey: 'PLANTED-KW-APPKEY', secretkey: 'PLANTED-KW-SECRET' });
    expect(JSON.stringify(redactConfig(config))).not.toMatch(/PLANTED/);
  });

  it('asks for a missing half of a credential pair by name, never printing the other half', () => {
    const problems = problemsOf(() => loadConfig({ env: { KIS_APPKEY: 'PLANTED-KIS-APPKEY' } }));
    expect(problems).toEqual(['KIS_APPSECRET, KIS_HTS_ID: expected in the environment together with KIS_APPKEY']);
  });

  it('refuses live mode without Kiwoom credentials', () => {
    expect(problemsOf(() => loadConfig({ env: { KRX_MODE: 'live' } }))[0]).toMatch(/mode: live needs KIWOOM_APPKEY/);
  });

  it('kiwoom.keys: named keys from KIWOOM_APPKEY_<NAME>, `default` the unnamed pair, every listed key needed live, secrets redacted', () => {
    const keys = file('keys.json', { kiwoom: { keys: ['default', 'desk2'] } });
    const env = { KIWOOM_APPKEY: 'PLANTED-KW-A', KIWOOM_SECRETKEY: 'PLANTED-KW-SA', KIWOOM_APPKEY_DESK2: 'PLANTED-KW-B', KIWOOM_SECRETKEY_DESK2: 'PLANTED-KW-SB' };
    const config = loadConfig({ file: keys, env });
    expect(config.mode).toBe('live');
    expect(config.kiwoom.keys).toEqual(['default', 'desk2']);
    expect(config.credentials.kiwoomKeys).toEqual({ desk2: { appkey: 'PLANTED-KW-B', secretkey: 'PLANTED-KW-SB' } });
    expect(JSON.stringify(redactConfig(config))).not.toMatch(/PLANTED/);
    expect(problemsOf(() => loadConfig({ file: keys, env: { KRX_MODE: 'live', KIWOOM_APPKEY: 'k', KIWOOM_SECRETKEY: 's' } }))).toEqual(['mode: live needs KIWOOM_APPKEY_DESK2 and KIWOOM_SECRETKEY_DESK2 (kiwoom.keys "desk2") in the environment']);
    expect(problemsOf(() => loadConfig({ file: keys, env: { KIWOOM_APPKEY_DESK2: 'PLANTED-HALF' } }))).toEqual(['KIWOOM_SECRETKEY_DESK2: expected in the environment together with KIWOOM_APPKEY_DESK2']);
    // Only named keys: auto goes live on them; the unnamed pair is not needed.
    const named = loadConfig({ file: file('named.json', { kiwoom: { keys: ['a', 'b'] } }), env: { KIWOOM_APPKEY_A: 'x1', KIWOOM_SECRETKEY_A: 'y1', KIWOOM_APPKEY_B: 'x2', KIWOOM_SECRETKEY_B: 'y2' } });
    expect(named.mode).toBe('live');
    expect(named.credentials.kiwoom).toBeNull();
    expect(problemsOf(() => loadConfig({ file: file('dup.json', { kiwoom: { keys: ['a', 'A'] } }), env: {} }))).toEqual(['kiwoom.keys: key names must be unique (case-insensitive)']);
    expect(problemsOf(() => loadConfig({ file: file('bad.json', { kiwoom: { keys: ['no-dash'] } }), env: {} }))[0]).toMatch(/^kiwoom\.keys\.0: expected a key name/);
  });

  it('accepts the live example as written', () => {
    const config = loadConfig({ file: 'config/live.example.json', env: { KIWOOM_APPKEY: 'k', KIWOOM_SECRETKEY: 's' } });
    expect(config.mode).toBe('live');
    expect(config.calendar.kind).toBe('sessions');
  });
});
