import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { packageRoot } from './package-root.js';
import { readNotifySecrets } from './notify-schema.js';
import { fileConfigSchema, type Config, type Credentials, type KiwoomCredentials } from './schema.js';
import { deepFreeze } from '../core/deep-freeze.js';

/** Environment variables that carry secrets: read from the environment only, never printed. */
export const SECRET_ENV_VARS = ['KIWOOM_APPKEY', 'KIWOOM_SECRETKEY', 'KIS_APPKEY', 'KIS_APPSECRET', 'KIS_HTS_ID'] as const;

/** Non-secret settings the environment may override, by config path. */
const ENV_OVERRIDES: ReadonlyArray<{ env: string; path: readonly string[]; type: 'string' | 'number' }> = [
  { env: 'KRX_MODE', path: ['mode'], type: 'string' },
  { env: 'KRX_DATA_DIR', path: ['dataDir'], type: 'string' },
  { env: 'KRX_LOG_LEVEL', path: ['log', 'level'], type: 'string' },
  { env: 'KRX_HTTP_PORT', path: ['http', 'port'], type: 'number' },
  { env: 'KRX_BUS_REDIS_URL', path: ['bus', 'redis', 'url'], type: 'string' },
  { env: 'KIWOOM_REST_URL', path: ['kiwoom', 'restUrl'], type: 'string' },
  { env: 'KIWOOM_WS_URL', path: ['kiwoom', 'wsUrl'], type: 'string' },
  { env: 'KIS_REST_URL', path: ['kis', 'restUrl'], type: 'string' },
];

/** Keys that look like secrets must never be in a config file. */
const SECRET_KEY_PATTERN = /^(app_?key|secret_?key|app_?secret|secret|token|access_?token|password|hts_?id|credentials)$/i;

export interface LoadConfigOptions {
  /** A config file given with --config; default: config/default.json of the package. */
  file?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  cwd?: string;
}

/** defaults -> file -> environment -> strict parse -> freeze. Throws ConfigError listing every problem. */
export function loadConfig(options: LoadConfigOptions): Config {
  const cwd = options.cwd ?? process.cwd();
  const file = options.file ? resolve(cwd, options.file) : join(packageRoot(), 'config', 'default.json');
  const raw = readJsonFile(file);
  const problems: string[] = [];

  const secretPaths = findSecretKeys(raw);
  for (const path of secretPaths) {
    problems.push(`${path}: secrets belong in the environment (${SECRET_ENV_VARS.join(', ')}), not in a config file`);
  }
  const origin = new Map<string, string>();
  for (const o of ENV_OVERRIDES) {
    const value = options.env[o.env];
    if (value === undefined || value === '') continue;
    setPath(raw, o.path, o.type === 'number' && /^-?\d+$/.test(value) ? Number(value) : value);
    origin.set(o.path.join('.'), o.env);
  }
  const parsed = fileConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.flatMap((issue) => describeIssue(issue, origin));
    // A secret key is already reported with its own message; do not report it again as unknown.
    problems.push(...lines.filter((line) => !secretPaths.some((p) => line === `${p}: unknown key`)));
  }
  const brokers = readCredentials(options.env, problems);
  // Notification secrets: each sink names its own environment variables (src/config/notify-schema.ts).
  const notify = parsed.success ? readNotifySecrets(parsed.data.notify.sinks, options.env, problems) : {};
  const kiwoomKeys = parsed.success ? readKiwoomKeys(parsed.data.kiwoom.keys, options.env, problems) : {};
  const withKeys: Credentials = Object.keys(kiwoomKeys).length > 0 ? { ...brokers, kiwoomKeys } : brokers;
  const credentials: Credentials = Object.keys(notify).length > 0 ? { ...withKeys, notify } : withKeys;
  if (parsed.success && !parsed.data.bus.redis && parsed.data.notify.sinks.some((s) => s.type === 'bus' && s.enabled)) problems.push('notify.sinks: a sink of type "bus" needs bus.redis.url (or KRX_BUS_REDIS_URL)');
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);

  const { mode, ...rest } = parsed.data;
  if (mode === 'auto' && !credentials.kiwoom && options.env.NODE_ENV === 'production') {
    // A production install that lost its credentials must fail loudly, not trade on the simulator.
    throw new ConfigError(['mode: auto found no KIWOOM_APPKEY/KIWOOM_SECRETKEY with NODE_ENV=production; set them, or set "mode": "sim" to run the simulator on purpose']);
  }
  const anyKiwoom = credentials.kiwoom !== null || Object.keys(credentials.kiwoomKeys ?? {}).length > 0;
  const resolvedMode = mode === 'auto' ? (anyKiwoom ? 'live' : 'sim') : mode;
  if (resolvedMode === 'live') {
    const missing = missingKeyCredentials(rest.kiwoom.keys, credentials);
    if (missing.length > 0) throw new ConfigError(missing.map((m) => `mode: live needs ${m} in the environment`));
  }
  const dataDir = resolve(cwd, rest.dataDir);
  const escapes = insideDataDir(dataDir, { 'store.file': rest.store.file, 'recording.dir': rest.recording.dir });
  if (escapes.length > 0) throw new ConfigError(escapes);
  return deepFreeze({
    ...rest,
    mode: resolvedMode,
    dataDir,
    credentials,
    source: file,
  }) as Config;
}

/** Paths under the data dir must stay in it: no `..` climbing out, no absolute path elsewhere. */
function insideDataDir(dataDir: string, paths: Readonly<Record<string, string>>): string[] {
  return Object.entries(paths)
    .filter(([, p]) => {
      const rel = relative(dataDir, resolve(dataDir, p));
      return rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
    })
    .map(([key, p]) => `${key}: ${JSON.stringify(p)} must name a path inside dataDir (${dataDir})`);
}

function readJsonFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([`${file}: cannot read the config file (${reason})`], 'E_CONFIG_FILE');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`${file}: not valid JSON (${(err as Error).message})`], 'E_CONFIG_FILE');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError([`${file}: expected a JSON object at the top level`], 'E_CONFIG_FILE');
  }
  return value as Record<string, unknown>;
}

function readCredentials(env: LoadConfigOptions['env'], problems: string[]): Credentials {
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const pair = (names: readonly string[]): Record<string, string> | null => {
    const present = names.filter((n) => get(n) !== undefined);
    if (present.length === 0) return null;
    if (present.length < names.length) {
      const missing = names.filter((n) => get(n) === undefined);
      problems.push(`${missing.join(', ')}: expected in the environment together with ${present.join(', ')}`);
      return null;
    }
    return Object.fromEntries(names.map((n) => [n, get(n) as string]));
  };
  const kiwoom = pair(['KIWOOM_APPKEY', 'KIWOOM_SECRETKEY']);
  const kis = pair(['KIS_APPKEY', 'KIS_APPSECRET', 'KIS_HTS_ID']);
  return {
    kiwoom: kiwoom ? { appkey: kiwoom.KIWOOM_APPKEY as string, secretkey: kiwoom.KIWOOM_SECRETKEY as string } : null,
    kis: kis
      ? { appkey: kis.KIS_APPKEY as string, appsecret: kis.KIS_APPSECRET as string, htsId: kis.KIS_HTS_ID as string }
      : null,
  };
}

/** The environment variables of a named key: KIWOOM_APPKEY_<NAME>, KIWOOM_SECRETKEY_<NAME>; `default` is the unnamed pair. */
export function kiwoomKeyEnv(name: string): { readonly appkey: string; readonly secretkey: string } {
  if (isDefaultKey(name)) return { appkey: 'KIWOOM_APPKEY', secretkey: 'KIWOOM_SECRETKEY' };
  const suffix = name.toUpperCase();
  return { appkey: `KIWOOM_APPKEY_${suffix}`, secretkey: `KIWOOM_SECRETKEY_${suffix}` };
}

/** The key name `default` (any case) means the unnamed pair. */
export function isDefaultKey(name: string): boolean {
  return name.toUpperCase() === 'DEFAULT';
}

/** Named keys' credentials, by configured name; a half-set pair is a problem, a missing one is decided by the mode. */
function readKiwoomKeys(names: readonly string[], env: LoadConfigOptions['env'], problems: string[]): Record<string, KiwoomCredentials> {
  const out: Record<string, KiwoomCredentials> = {};
  for (const name of names) {
    if (isDefaultKey(name)) continue;
    const vars = kiwoomKeyEnv(name);
    const appkey = env[vars.appkey]?.trim();
    const secretkey = env[vars.secretkey]?.trim();
    if (appkey && secretkey) out[name] = { appkey, secretkey };
    else if (appkey || secretkey) problems.push(`${appkey ? vars.secretkey : vars.appkey}: expected in the environment together with ${appkey ? vars.appkey : vars.secretkey}`);
  }
  return out;
}

/** Live mode needs every configured key's pair (the unnamed pair when `kiwoom.keys` is empty). */
function missingKeyCredentials(names: readonly string[], credentials: Credentials): string[] {
  const keys = names.length === 0 ? ['default'] : names;
  return keys
    .filter((name) => (isDefaultKey(name) ? credentials.kiwoom === null : credentials.kiwoomKeys?.[name] === undefined))
    .map((name) => {
      const vars = kiwoomKeyEnv(name);
      return `${vars.appkey} and ${vars.secretkey}${isDefaultKey(name) ? '' : ` (kiwoom.keys "${name}")`}`;
    });
}

function describeIssue(issue: z.core.$ZodIssue, origin: ReadonlyMap<string, string>): string[] {
  const path = issue.path.map(String).join('.') || '(top level)';
  const from = origin.get(path);
  const where = from ? `${path} (from ${from})` : path;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => `${path === '(top level)' ? k : `${path}.${k}`}: unknown key`);
  }
  return [`${where}: ${issue.message}`];
}

function findSecretKeys(value: unknown, path: string[] = []): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const found: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const here = [...path, k];
    if (SECRET_KEY_PATTERN.test(k)) found.push(here.join('.'));
    else found.push(...findSecretKeys(v, here));
  }
  return found;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}
