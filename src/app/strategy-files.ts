import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJiti, type Jiti } from 'jiti';
import type { Config } from '../config/schema.js';
import { ConfigError, KrxError, errorMessage, isKrxError } from '../core/errors.js';
import type { RecordedStrategySet } from '../core/recording.js';
import type { Logger } from '../core/logger.js';
import { checkStrategyDefinition, type AnyStrategyDefinition } from '../core/strategy.js';
import { strategies as manifest } from '../../strategies/index.js';
import { planKernel, type KernelPlan } from './kernel.js';
import type { KernelSettings } from './settings.js';

// User strategies from a folder, loaded at start without a build: jiti transpiles TypeScript (and
// ESM) in memory and resolves `krx-signals/sdk`, `krx-signals/sdk/testing` and `zod` to this
// installation, so the folder needs no node_modules of its own.

export const STRATEGY_FILE_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.js', '.mjs'];

/** Where a strategy came from: a file of the folder, or the built-in manifest. */
export interface StrategySource {
  readonly definition: AnyStrategyDefinition;
  /** The file's absolute path, or `built-in`. */
  readonly file: string;
  /** sha256 of the file's text (built-ins: empty). */
  readonly hash: string;
  /** The file's text, as evaluated (built-ins: absent): a recording keeps it for the replay. */
  readonly text?: string;
}

/** A file that did not load: its path and line (1-based, when known) and why. */
export interface StrategyFileProblem {
  readonly file: string;
  readonly line?: number;
  readonly message: string;
}

export interface AvailableStrategies {
  /** Built-ins first, then the folder's files by name; ids are unique. */
  readonly sources: readonly StrategySource[];
  readonly definitions: readonly AnyStrategyDefinition[];
  readonly problems: readonly StrategyFileProblem[];
  readonly dir: string;
}

/** `<dataDir>/strategies` unless `strategiesDir` says otherwise (relative to dataDir). */
export function strategiesDirOf(config: { readonly dataDir: string; readonly strategiesDir?: string | undefined }): string {
  return resolve(config.dataDir, config.strategiesDir ?? 'strategies');
}

/** `path:line: message`, one line. */
export function formatProblem(p: StrategyFileProblem): string {
  return `${p.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.message}`;
}

/**
 * The built-in strategies plus every strategy file of `dir` (a missing folder is empty). A file that
 * fails to load or validate (syntax error, throw at import, no default export, invalid definition,
 * duplicate id) is a problem with its path and line; the other files still load.
 */
export async function loadAvailableStrategies(dir: string, builtIns: readonly AnyStrategyDefinition[] = manifest): Promise<AvailableStrategies> {
  const sources: StrategySource[] = builtIns.map((definition) => ({ definition, file: 'built-in', hash: '' }));
  const problems: StrategyFileProblem[] = [];
  const byId = new Map(sources.map((s) => [s.definition.id, s.file]));
  const files = strategyFiles(dir);
  if (files.length === 0) return { sources, definitions: builtIns, problems, dir };
  // A fresh loader per load (no module cache): a reload sees the files as they are now.
  const jiti = freshLoader();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    // Evaluated from the text that was hashed (not re-read): the sha256 recorded is the code that runs.
    const loaded = await checkedDefinition(file, text, () => evalText(jiti, file, text), byId);
    if ('problem' in loaded) {
      problems.push(loaded.problem);
      continue;
    }
    byId.set(loaded.definition.id, file);
    sources.push({ definition: loaded.definition, file, hash: sha256Of(text), text });
  }
  return { sources, definitions: sources.map((s) => s.definition), problems, dir };
}

/** sha256 of a strategy file's text, hex. */
export function sha256Of(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A recording is a file from elsewhere: its strategy set must have the shape it was written with. */
function checkRecordedSet(set: RecordedStrategySet): void {
  const ok =
    Array.isArray(set?.strategies) &&
    set.strategies.length <= 1000 &&
    set.strategies.every((s) => typeof s?.id === 'string' && typeof s.file === 'string' && typeof s.sha256 === 'string' && typeof s.params === 'object' && s.params !== null && !Array.isArray(s.params));
  if (!ok) throw new KrxError('E_RECORDING_READ', 'the recording holds a malformed strategy set (kernel.started or strategies.reloaded)');
}

/** A strategy file's default export, evaluated from `text` as if it were `file`. */
async function evalText(jiti: Jiti, file: string, text: string): Promise<unknown> {
  const ext = STRATEGY_FILE_EXTENSIONS.includes(extname(file)) ? extname(file) : '.ts';
  const mod = (await jiti.evalModule(text, { filename: file, ext, async: true })) as { default?: unknown } | null;
  return mod !== null && typeof mod === 'object' && 'default' in mod ? mod.default : mod;
}

/** A jiti without caches, `krx-signals/sdk` and `zod` resolved to this installation. */
function freshLoader(): Jiti {
  return createJiti(import.meta.url, { fsCache: false, moduleCache: false, sourceMaps: true, interopDefault: true, alias: sdkAliases() });
}

/** Imports one file's text (by `load`) and checks its default export: a definition, or the problem with path and line. */
async function checkedDefinition(
  file: string,
  text: string,
  load: () => Promise<unknown>,
  byId: ReadonlyMap<string, string>,
): Promise<{ readonly definition: AnyStrategyDefinition } | { readonly problem: StrategyFileProblem }> {
  const problem = (message: string, line?: number): { problem: StrategyFileProblem } => ({ problem: line === undefined ? { file, message } : { file, line, message } });
  let exported: unknown;
  try {
    exported = await load();
  } catch (err) {
    return problem(loadMessage(err, file), lineIn(err, file) ?? lineOf(text, /defineStrategy\s*\(/));
  }
  const definition = exported as AnyStrategyDefinition;
  if (typeof definition !== 'object' || definition === null) {
    return problem('no default export: export default defineStrategy({ ... })', lineOf(text, /export\s+default/));
  }
  try {
    checkStrategyDefinition(definition);
  } catch (err) {
    return problem(errorMessage(err), lineOf(text, /export\s+default/));
  }
  const other = byId.get(definition.id);
  if (other !== undefined) {
    return problem(`duplicate strategy id "${definition.id}" (also in ${other})`, lineOf(text, new RegExp(`['"\`]${definition.id}['"\`]`)));
  }
  return { definition };
}

/**
 * The strategies of a recorded set, from the recorded text of each file (never the folder, which may
 * hold another version by now) and the built-ins of this build. `sources` holds every text the
 * recording gave so far, by sha256. A text the recording lacks, or one that no longer loads, is an
 * E_RECORDING_READ naming the file: the replay could not reproduce the run.
 */
export async function loadRecordedStrategies(set: RecordedStrategySet, sources: ReadonlyMap<string, string>, builtIns: readonly AnyStrategyDefinition[] = manifest): Promise<StrategySource[]> {
  checkRecordedSet(set);
  const jiti = freshLoader();
  const out: StrategySource[] = [];
  for (const s of set.strategies) {
    if (s.file === 'built-in') {
      const definition = builtIns.find((d) => d.id === s.id);
      if (definition === undefined) throw new KrxError('E_RECORDING_READ', `the recording ran built-in strategy "${s.id}", which this build does not have`, { details: { strategy: s.id } });
      out.push({ definition, file: 'built-in', hash: '' });
      continue;
    }
    const text = sources.get(s.sha256);
    if (text === undefined || sha256Of(text) !== s.sha256) {
      throw new KrxError('E_RECORDING_READ', `the recording lacks the code of ${s.file} (sha256 ${s.sha256.slice(0, 12)}): it cannot be replayed as it ran`, { details: { file: s.file, strategy: s.id } });
    }
    const loaded = await checkedDefinition(s.file, text, () => evalText(jiti, s.file, text), new Map());
    if ('problem' in loaded) throw new KrxError('E_RECORDING_READ', `the recorded code of ${formatProblem(loaded.problem)}`, { details: { file: s.file, strategy: s.id } });
    if (loaded.definition.id !== s.id) throw new KrxError('E_RECORDING_READ', `the recorded code of ${s.file} defines "${loaded.definition.id}", not "${s.id}"`, { details: { file: s.file } });
    out.push({ definition: loaded.definition, file: s.file, hash: s.sha256, text });
  }
  return out;
}

/** The folder's strategy files, sorted by name (not recursive; `*.d.ts` and `*.test.*` skipped). */
export function strategyFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((n) => STRATEGY_FILE_EXTENSIONS.includes(extname(n)) && !n.endsWith('.d.ts') && !/\.test\.[mc]?[jt]s$/.test(n))
    .sort()
    .map((n) => join(dir, n))
    .filter((f) => statSync(f).isFile());
}

/** The folder's test files (`*.test.ts`, `.mts`, `.js`, `.mjs`), sorted by name. */
export function strategyTestFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((n) => /\.test\.(ts|mts|js|mjs)$/.test(n))
    .sort()
    .map((n) => join(dir, n));
}

/** `krx-signals/sdk[/testing]` and `zod` resolve to this installation (built files, or the sources under a TS runner). */
export function sdkAliases(): Record<string, string> {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const sdk = (name: string): string => {
    const js = join(here, '..', 'sdk', `${name}.js`);
    return existsSync(js) ? js : join(here, '..', 'sdk', `${name}.ts`);
  };
  const require = createRequire(import.meta.url);
  return {
    'krx-signals/sdk/testing': sdk('testing'),
    'krx-signals/sdk': sdk('index'),
    zod: require.resolve('zod').replace(/\.cjs$/, '.js'),
  };
}

function loadMessage(err: unknown, file: string): string {
  const message = isKrxError(err) ? err.message : errorMessage(err);
  // jiti prefixes parse errors with the path and position; the report carries them already.
  return message.replace(new RegExp(`\\s*${escapeRegExp(file)}(:\\d+)*`, 'g'), '').replace(/\s+/g, ' ').trim();
}

/** The first `file:line` in the error's message or stack: where it was thrown, or the parse error's position. */
function lineIn(err: unknown, file: string): number | undefined {
  const text = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
  const match = new RegExp(`${escapeRegExp(file)}:(\\d+)`).exec(text);
  return match ? Number(match[1]) : undefined;
}

function lineOf(text: string, pattern: RegExp): number | undefined {
  const index = text.search(pattern);
  return index < 0 ? undefined : text.slice(0, index).split('\n').length;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Logs each file that failed to load (warn, E_STRATEGY_FILE, path and line): the daemon starts without it. */
export function logProblems(available: AvailableStrategies, log: Pick<Logger, 'warn'>): void {
  for (const p of available.problems) {
    log.warn({ event: 'strategy.file-failed', code: 'E_STRATEGY_FILE', file: p.file, line: p.line ?? null }, `strategy file not loaded: ${formatProblem(p)}`);
  }
}

/**
 * Plans the kernel over the built-ins plus the folder's strategies. A configured strategy that is
 * missing stops the boot (ConfigError, exit 2); the files that failed are listed with it, since one
 * of them may be the missing strategy.
 */
export function planWithStrategyFiles(settings: KernelSettings, available: AvailableStrategies, only?: readonly string[]): KernelPlan {
  try {
    return planKernel(settings, only, available.definitions);
  } catch (err) {
    if (!(err instanceof ConfigError) || available.problems.length === 0) throw err;
    throw new ConfigError([...err.problems, ...available.problems.map((p) => `strategy file not loaded: ${formatProblem(p)}`)], err.code);
  }
}

/**
 * The config's strategies plus `ids` the config does not list but the folder or the built-ins have
 * (default params): `replay <recording> --strategy mine` runs a strategy the recorded run never had.
 */
export function withNamedStrategies(entries: Config['strategies'], ids: readonly string[], available: AvailableStrategies): Config['strategies'] {
  const listed = new Set(entries.filter((e) => e.enabled).map((e) => e.id));
  const known = new Set(available.definitions.map((d) => d.id));
  const added = [...new Set(ids)].filter((id) => !listed.has(id) && known.has(id));
  return [...entries.filter((e) => !added.includes(e.id)), ...added.map((id) => ({ id, enabled: true, params: {} }))];
}
